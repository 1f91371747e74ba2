import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');

/**
 * The built CLI, as `npx orgkit` runs it: a process's arguments for `process.execPath`. Vitest's
 * global setup (build-if-stale.ts) rebuilds `dist/` whenever `src/` is newer, so it is the code
 * under test; starting it takes ≈ 0.4 s less than `src/cli/bin.ts` through tsx, which the crash
 * and CLI suites pay on every one of their hundreds of processes.
 */
export const cliArgs = (...args: string[]) => [join(root, 'dist', 'cli', 'bin.js'), ...args];

/** The CLI from its sources through tsx: for the tests that look at which source modules load. */
export const cliSourceArgs = (...args: string[]) => [
  '--import',
  pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href,
  join(root, 'src', 'cli', 'bin.ts'),
  ...args,
];
