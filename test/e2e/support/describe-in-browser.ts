import { describe } from 'vitest';
import { chromiumFound } from './chromium-path.js';

/**
 * `describe`, skipped where Chromium is missing: `npm test` then passes and prints how to run
 * the browser tests (the notice reporter), while `npm run test:e2e` refuses to start (vitest.config.ts).
 */
export function describeInBrowser(name: string, body: () => void): void {
  describe.skipIf(!chromiumFound)(name, body);
}
