import type { Reporter, TestModule } from 'vitest/node';
import { chromiumFound, HOW_TO_RUN_BROWSER_TESTS } from './chromium-path.js';

/**
 * A vitest reporter that ends the run with a visible notice when browser tests were part of it
 * but skipped for want of Chromium, so a green `npm test` does not pass for a full one.
 */
export default class BrowserTestsNotice implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    if (chromiumFound) return;
    if (!testModules.some((module) => module.moduleId.includes('/test/e2e/'))) return;
    const rule = '-'.repeat(78);
    process.stdout.write(
      `\n${rule}\nBROWSER TESTS NOT RUN\n${HOW_TO_RUN_BROWSER_TESTS}\n${rule}\n`,
    );
  }
}
