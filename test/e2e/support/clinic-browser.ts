import type { Browser, BrowserContext, Page } from 'playwright-core';
import { saveScreenshot } from './screenshots.js';

/** The people the example clinic seeds in the emulator (examples/clinic/src/people.ts). */
export const CLINIC_PEOPLE = {
  /** Dr. Ada: an expert of Harbor Clinic. */
  expert: 'ada@harbor-clinic.example',
  /** Grace: an admin of Harbor Clinic. */
  admin: 'grace@harbor-clinic.example',
  /** Sam: an expert of Northwind Physio, another organization. */
  outsider: 'sam@northwind-physio.example',
  /** Dr. Kofi: an on-call expert of Harbor Clinic, without `meetings:read` in his token. */
  onCall: 'kofi@harbor-clinic.example',
} as const;

/**
 * What an example app is started with: the WorkOS emulator and PGlite, whatever the test
 * runner's environment points at (a CI step with DATABASE_URL, a developer's WorkOS keys).
 */
export const DEVELOPMENT_ENV = {
  DATABASE_URL: undefined,
  CLINIC_SCHEMA: undefined,
  CLINIC_DATA_DIR: undefined,
  WORKOS_API_KEY: undefined,
  WORKOS_CLIENT_ID: undefined,
  WORKOS_REDIRECT_URI: undefined,
  WORKOS_COOKIE_PASSWORD: undefined,
  WORKOS_API_HOSTNAME: undefined,
  WORKOS_API_PORT: undefined,
  WORKOS_API_HTTPS: undefined,
  BASE_URL: undefined,
} as const;

/** A person's own browser profile: cookies never cross between people. */
export interface BrowserPerson {
  context: BrowserContext;
  page: Page;
}

/**
 * The browser side of a clinic walk-through: people with profiles of their own, numbered
 * screenshots under `test-artifacts/e2e/<app>/`, and every page error collected (a test ends by
 * expecting none).
 */
export function clinicBrowser(app: string, browser: () => Browser, baseUrl: () => string) {
  let step = 0;
  const pageErrors: string[] = [];
  return {
    pageErrors,
    /** `userAgent` names the person, so audit events can be told apart by it. */
    async person(userAgent?: string): Promise<BrowserPerson> {
      const context = await browser().newContext({
        baseURL: baseUrl(),
        ...(userAgent ? { userAgent } : {}),
      });
      // A step that hangs fails while the test still has time to report it.
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return { context, page };
    },
    shot: (page: Page, name: string) =>
      saveScreenshot(page, app, `${String(++step).padStart(2, '0')}-${name}`),
    text: async (page: Page, selector: string) =>
      (await page.locator(selector).first().textContent())?.trim() ?? '',
    /**
     * Expert or admin sign-in: the app's form, AuthKit (the emulator signs the typed email in as
     * `login_hint`), the callback, and the page the person lands on (or `/forbidden`).
     */
    async signIn(page: Page, email: string, landing: string) {
      await page.goto(`/sign-in?returnTo=${encodeURIComponent(landing)}`);
      await page.getByLabel('Work email').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.pathname === landing || url.pathname === '/forbidden');
    },
  };
}
