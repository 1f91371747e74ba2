import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeServerEnv } from '../servers/env.js';

const root = join(import.meta.dirname, '../../..');
const bin = (name: string) => join(root, 'node_modules/.bin', name);

export interface RuntimeServer {
  url: string;
  /** Everything the server printed, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/** How each runtime starts the app (each prints a line with its port when it listens). */
export const RUNTIMES = {
  node: () => ({
    command: process.execPath,
    args: ['--import', 'tsx', 'test/runtimes/servers/node.ts'],
    ready: /listening on (\d+)/,
  }),
  bun: () => ({
    command: bin('bun'),
    args: ['test/runtimes/servers/bun.ts'],
    ready: /listening on (\d+)/,
  }),
  deno: () => ({
    command: bin('deno'),
    args: ['run', '--unstable-sloppy-imports', '--no-lock', '-A', 'test/runtimes/servers/deno.ts'],
    ready: /listening on (\d+)/,
  }),
  // wrangler's local runtime (workerd), on a compatibility date before 2024-09-23, when
  // `nodejs_compat` gave `node:` modules but no `Buffer` or `process` globals.
  workerd: (env: RuntimeServerEnv) => {
    const dir = mkdtempSync(join(tmpdir(), 'orgkit-workerd-'));
    const config = join(dir, 'wrangler.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'orgkit-runtime-suite',
        main: join(root, 'test/runtimes/servers/worker.ts'),
        compatibility_date: '2024-09-01',
        compatibility_flags: ['nodejs_compat'],
        vars: env,
      }),
    );
    return {
      command: bin('wrangler'),
      args: ['dev', '--config', config, '--ip', '127.0.0.1', '--port', '0', '--log-level', 'info'],
      ready: /Ready on http:\/\/127\.0\.0\.1:(\d+)/,
    };
  },
} as const;

export type RuntimeName = keyof typeof RUNTIMES;

/** Starts `runtime`'s server with `env` and waits (up to `timeoutMs`) until it listens. */
export function startRuntimeServer(
  runtime: RuntimeName,
  env: RuntimeServerEnv,
  timeoutMs = 120_000,
): Promise<RuntimeServer> {
  const { command, args, ready } = RUNTIMES[runtime](env);
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env, NO_COLOR: '1', WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const running = () => child.exitCode === null && child.signalCode === null;
  // The whole group: wrangler runs workerd as a child of its own.
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (!running()) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    signal('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (running()) signal('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${runtime} did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = ready.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${runtime} exited with ${code} before listening:\n${output}`));
    });
  });
}
