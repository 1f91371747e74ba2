import { spawn } from 'node:child_process';

/**
 * Runs `script` (TypeScript, through tsx) as its own OS process with `vars` added to its
 * environment, and resolves with the JSON it printed, or rejects with its stderr.
 */
export function runWorkerProcess<T>(script: string, vars: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...vars },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as T);
      else reject(new Error(`worker exited with ${code}: ${err}`));
    });
  });
}
