import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..', '..');
const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
const OUTPUT_LIMIT = 64 * 1024;

/** How to start an app as its own process. */
export interface StartAppOptions {
  /** Names the app in error messages. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** Added to the test runner's environment; `undefined` removes a variable. `PORT` is set. */
  env?: Record<string, string | undefined>;
  /** Requested until it answers with any status. @default '/' */
  readyPath?: string;
  /** @default 60_000 */
  readyTimeoutMs?: number;
}

/** An app process answering on `url`. */
export interface RunningApp {
  /** `http://localhost:PORT`: browsers treat localhost as secure, so `Secure` cookies work. */
  url: string;
  port: number;
  /** What the process printed so far (its last 64 KiB), for failure messages. */
  output(): string;
  /** Ends the app's whole process group (SIGTERM, then SIGKILL after 5 s); safe to call twice. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts an example's `src/server.ts` through tsx, from its folder, as `npm start` would, with
 * `args` after the script (`['--import-clerk']`).
 */
export function startExampleServer(
  example: string,
  env: StartAppOptions['env'] = {},
  args: readonly string[] = [],
): Promise<RunningApp> {
  // The examples import the built package, as an app would; a stale or missing build fails there.
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error(`examples/${example} imports the built orgkit: run npm run build first`);
  }
  const cwd = join(root, 'examples', example);
  return startAppProcess({
    name: `examples/${example}`,
    command: process.execPath,
    args: ['--import', tsx, 'src/server.ts', ...args],
    cwd,
    env,
  });
}

/**
 * Starts `command` on a free port (`PORT`) in a process group of its own and resolves once it
 * answers on `readyPath`; rejects with the app's output when it exits or times out first.
 */
export async function startAppProcess(options: StartAppOptions): Promise<RunningApp> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env,
    detached: true, // its own process group, so stop() also ends what it spawned
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const app: RunningApp = {
    url: `http://localhost:${port}`,
    port,
    output: () => output,
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntilAnswering(app, options, exited);
  } catch (error) {
    await app.stop();
    throw new Error(`${options.name}: ${(error as Error).message}\n--- its output ---\n${output}`);
  }
  return app;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

async function waitUntilAnswering(
  app: RunningApp,
  options: StartAppOptions,
  exited: Promise<void>,
) {
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const target = `${app.url}${options.readyPath ?? '/'}`;
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`exited before answering on ${target}`);
    try {
      const response = await fetch(target, {
        redirect: 'manual',
        signal: AbortSignal.timeout(5_000),
      });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`did not answer on ${target} within ${timeoutMs} ms`);
}
