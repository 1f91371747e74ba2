import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..', '..');

/** The folder the browser tests save screenshots in (git-ignored). */
export const ARTIFACTS_DIR = join(root, 'test-artifacts', 'e2e');

/**
 * Saves a full-page screenshot of `page` as `test-artifacts/e2e/<app>/<step>.png` and returns
 * its path. Name steps so that they sort in the order they were taken (`01-sign-in`).
 */
export async function saveScreenshot(page: Page, app: string, step: string): Promise<string> {
  const dir = join(ARTIFACTS_DIR, app);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${step}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
