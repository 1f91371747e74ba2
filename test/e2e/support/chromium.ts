import { type Browser, chromium } from 'playwright-core';
import { chromiumFound, chromiumPath, HOW_TO_RUN_BROWSER_TESTS } from './chromium-path.js';

// Headless in a container: no sandbox (root, no user namespaces), no GPU, and nothing that
// reaches out to Google's services, which are not reachable offline and would only add noise.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the installed Chromium headless; never downloads one. */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumFound) throw new Error(HOW_TO_RUN_BROWSER_TESTS);
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
}
