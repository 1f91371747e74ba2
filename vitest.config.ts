import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { chromiumFound, HOW_TO_RUN_BROWSER_TESTS } from './test/e2e/support/chromium-path.js';

// `vitest run --mode e2e` (npm run test:e2e) runs only the browser tests and fails without
// Chromium; a plain run includes them too, skipped with a notice where Chromium is missing.
export default defineConfig(({ mode }) => {
  if (mode === 'e2e' && !chromiumFound) {
    process.stderr.write(`npm run test:e2e: ${HOW_TO_RUN_BROWSER_TESTS}\n`);
    process.exit(1);
  }
  return {
    test: {
      // `--mode runtimes` (npm run test:runtimes): the suites on Bun, Deno and workerd, which
      // need PostgreSQL and the runtimes' binaries, so a plain run leaves them to that step.
      include:
        mode === 'e2e'
          ? ['test/e2e/**/*.test.ts']
          : mode === 'runtimes'
            ? ['test/runtimes/**/*.runtime.test.ts']
            : ['test/**/*.test.ts', 'src/**/*.test.ts'],
      exclude:
        mode === 'runtimes' ? [] : ['test/runtimes/**/*.runtime.test.ts', '**/node_modules/**'],
      reporters: ['default', './test/e2e/support/browser-tests-notice.ts'],
      globalSetup: ['./test/support/build-if-stale.ts'],
      // Each test file runs isolated, so without this every file would apply orgkit's migrations
      // to PGlite again; the migrated template is kept here for the run and the next ones.
      env: { ORGKIT_TEST_TEMPLATE_DIR: 'node_modules/.cache/orgkit-test-templates' },
      // vitest's default is one worker fewer than the cores: one on a 2-core machine, where most
      // files wait on the emulator, a child process or PGlite's I/O rather than the CPU. Two
      // workers took CI's npm test from 915 s to 587 s there (docs/contributing.md).
      maxWorkers: Math.max(2, availableParallelism() - 1),
      testTimeout: 30_000,
      hookTimeout: 60_000,
      typecheck: {
        enabled: mode !== 'e2e' && mode !== 'runtimes',
        include: ['test/**/*.test-d.ts'],
      },
    },
  };
});
