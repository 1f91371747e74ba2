export {
  type AccessAccountingWalk,
  walkAccessAccounting,
} from './access-accounting-walk.js';
export {
  freePort,
  type RunningApp,
  type StartAppOptions,
  startAppProcess,
  startExampleServer,
} from './app-process.js';
export { launchChromium } from './chromium.js';
export { chromiumFound, chromiumPath, HOW_TO_RUN_BROWSER_TESTS } from './chromium-path.js';
export {
  type BrowserPerson,
  CLINIC_PEOPLE,
  clinicBrowser,
  DEVELOPMENT_ENV,
} from './clinic-browser.js';
export { describeInBrowser } from './describe-in-browser.js';
export { ARTIFACTS_DIR, saveScreenshot } from './screenshots.js';
