import { createRequire } from 'node:module';

// CI also runs the WorkOS-facing tests on the oldest supported SDK major (9), whose behaviour
// differs in ways orgkit cannot change: these say which SDK is installed.
const { version } = createRequire(import.meta.url)('@workos-inc/node/package.json') as {
  version: string;
};
const [major = 0, minor = 0] = version.split('.').map(Number);

/** The installed `@workos-inc/node` resends POSTs itself after a lost answer (10.8 and later). */
export const SDK_RESENDS_POSTS = major > 10 || (major === 10 && minor >= 8);

/** The installed SDK puts WorkOS's `X-Request-ID` on its server exceptions (9 drops it for 5xx). */
export const SDK_REPORTS_REQUEST_IDS = major >= 10;
