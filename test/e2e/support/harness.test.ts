import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  launchChromium,
  type RunningApp,
  saveScreenshot,
  startAppProcess,
} from './index.js';

const fixture = join(import.meta.dirname, 'fixtures', 'page-server.mjs');

function start(env: Record<string, string> = {}) {
  return startAppProcess({
    name: 'fixture',
    command: process.execPath,
    args: [fixture],
    cwd: import.meta.dirname,
    env,
    readyTimeoutMs: 10_000,
  });
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeInBrowser('browser-test harness', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app?.stop());

  it('opens an app process in headless Chromium and saves a screenshot', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(app.url);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'Hello from the fixture',
      );
      rmSync(join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'e2e', 'harness'), {
        recursive: true,
        force: true,
      });
      const path = await saveScreenshot(page, 'harness', '01-fixture');
      expect(path.endsWith(join('test-artifacts', 'e2e', 'harness', '01-fixture.png'))).toBe(true);
      expect(existsSync(path)).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('ends the whole process group on stop', async () => {
    const other = await start();
    const grandchild = Number(/grandchild (\d+)/.exec(other.output())?.[1]);
    expect(isAlive(grandchild)).toBe(true);
    await other.stop();
    await expect.poll(() => isAlive(grandchild), { timeout: 5_000 }).toBe(false);
  });

  it("reports the app's output when it exits before answering", async () => {
    await expect(start({ CRASH: '1' })).rejects.toThrow(
      /exited before answering[\s\S]*refusing to start/,
    );
  });
});
