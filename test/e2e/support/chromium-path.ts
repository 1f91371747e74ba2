import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package puts the browser; `ORGKIT_CHROMIUM` names another. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** The path the browser tests look at: `ORGKIT_CHROMIUM`, else Debian's. */
export const chromiumPath = process.env.ORGKIT_CHROMIUM || DEFAULT_CHROMIUM_PATH;

/** Whether the browser tests can run here. */
export const chromiumFound = existsSync(chromiumPath);

/** What to do when `chromiumPath` holds no browser: printed by `npm test`, and by `npm run test:e2e` as it fails. */
export const HOW_TO_RUN_BROWSER_TESTS = [
  `Chromium was not found at ${chromiumPath}, so the browser tests (test/e2e) were not run.`,
  'To run them: apt-get install -y chromium (or set ORGKIT_CHROMIUM to a Chromium binary),',
  'then: npm run build && npm run test:e2e',
].join('\n');
