import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import {
  ARTIFACTS_DIR,
  CLINIC_PEOPLE,
  clinicBrowser,
  DEVELOPMENT_ENV,
  describeInBrowser,
  launchChromium,
  type RunningApp,
  startExampleServer,
  walkAccessAccounting,
} from './support/index.js';

const APP = 'next';
const { expert: ADA, admin: GRACE, outsider: SAM } = CLINIC_PEOPLE;
const GUEST = 'noor.guest@example.com';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', APP);

// The emulator and PGlite, whatever the test runner's environment points at; the production
// build, as `next start` would serve it.
const DIST_DIR = { CLINIC_NEXT_DIST_DIR: '.next/e2e' };
const ENV = {
  ...DEVELOPMENT_ENV,
  ...DIST_DIR,
  NODE_ENV: 'production',
  NEXT_TELEMETRY_DISABLED: '1',
};

/** `next build` of the example; rejects with the tail of its output when it fails. */
function buildNextApp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
    const child = spawn(process.execPath, [next, 'build'], {
      cwd: EXAMPLE,
      env: { ...process.env, ...DIST_DIR, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`next build: exit ${code}\n${output.slice(-4000)}`)),
    );
  });
}

describeInBrowser('examples/next in Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  // PGlite on disk where `orgkit` run in work finds it (./.orgkit/pglite), so that `orgkit audit
  // verify` can check the app's audit log once the app has stopped.
  let work: string;
  const walk = clinicBrowser(
    APP,
    () => browser,
    () => app.url,
  );
  const { person, shot, text, signIn, pageErrors } = walk;

  beforeAll(async () => {
    rmSync(join(ARTIFACTS_DIR, APP), { recursive: true, force: true });
    work = mkdtempSync(join(tmpdir(), 'orgkit-e2e-next-'));
    await buildNextApp();
    const env = { ...ENV, CLINIC_DATA_DIR: join(work, '.orgkit', 'pglite') };
    [app, browser] = await Promise.all([startExampleServer(APP, env), launchChromium()]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs the clinic: setup, preferences, a double-submitted booking, guest sign-in, RLS across organizations, access reports and emergency access', async () => {
    onTestFailed(() => {
      console.error(`--- examples/next output ---\n${app.output()}`);
    });

    // Signed out, the proxy sends a protected page to sign-in; an unknown email is a form error.
    const visitor = await person();
    await visitor.page.goto('/dashboard');
    expect(new URL(visitor.page.url()).pathname).toBe('/sign-in');
    await visitor.page.getByLabel('Work email').fill('nobody@harbor-clinic.example');
    await visitor.page.getByRole('button', { name: 'Continue' }).click();
    await visitor.page.waitForURL('**/sign-in?error=unknown_user');
    expect(await text(visitor.page, '[role=alert]')).toContain(
      'No one at the clinic signs in with that email',
    );
    await shot(visitor.page, 'sign-in-unknown-email');
    await visitor.context.close();

    // Without JavaScript the forms still post, and come back with their errors.
    const plain = await browser.newContext({ baseURL: app.url, javaScriptEnabled: false });
    const plainPage = await plain.newPage();
    await plainPage.goto('/book');
    await plainPage.getByRole('button', { name: 'Book' }).click();
    await plainPage.locator('#email-error').waitFor();
    expect(await text(plainPage, '#email-error')).toBe('Enter a valid email address');
    expect(await plainPage.getByLabel('Your email').getAttribute('aria-invalid')).toBe('true');
    await shot(plainPage, 'booking-errors-without-javascript');
    await plain.close();

    // 1. The expert signs in; the dashboard shows her setup and blocks bookings until it is done.
    const ada = await person();
    await signIn(ada.page, ADA, '/dashboard');
    expect(await text(ada.page, '#setup-title')).toBe('Setup: 0 of 3 steps done');
    expect(await ada.page.locator('#bookings-closed').isVisible()).toBe(true);
    await shot(ada.page, 'expert-dashboard-incomplete');

    // An expert with setup to do cannot be booked: the form says so.
    const early = await person();
    await early.page.goto('/book');
    await early.page
      .getByLabel('Expert')
      .selectOption({ label: 'Dr. Ada Lovelace (not taking bookings yet)' });
    await early.page.getByLabel('Your first name').fill('Early');
    await early.page.getByLabel('Your email').fill('early.guest@example.com');
    await early.page.getByLabel('What is it about?').fill('Too early');
    await early.page.getByLabel('Date and time (UTC)').fill('2031-05-14T08:00');
    await early.page.getByRole('button', { name: 'Book' }).click();
    expect(await text(early.page, '#expertId-error')).toBe(
      'Dr. Ada Lovelace is not taking bookings until their setup is complete',
    );
    await shot(early.page, 'booking-refused-incomplete-expert');
    await early.context.close();

    // Steps one by one, each its own button.
    const steps = [
      'Write your public profile',
      'Set your weekly availability',
      'Connect a payout account',
    ];
    for (const [done, label] of steps.entries()) {
      await ada.page.getByRole('button', { name: `Mark “${label}” done` }).click();
      await ada.page.getByRole('heading', { name: `Setup: ${done + 1} of 3 steps done` }).waitFor();
    }
    expect(await ada.page.locator('#bookings-open').isVisible()).toBe(true);

    // Preferences: a bad value is shown on the form, a good one saved.
    await ada.page.getByLabel('Remind me before a meeting (minutes)').fill('2');
    await ada.page.getByRole('button', { name: 'Save preferences' }).click();
    await ada.page.locator('#reminderMinutes-error').waitFor();
    expect(await text(ada.page, '#reminderMinutes-error')).toMatch(/5/);
    await shot(ada.page, 'expert-preferences-error');
    await ada.page.getByLabel('Remind me before a meeting (minutes)').fill('45');
    await ada.page.getByLabel('Theme').selectOption('dark');
    await ada.page.getByRole('button', { name: 'Save preferences' }).click();
    await ada.page.getByText('Preferences saved.').waitFor();
    await ada.page.reload();
    expect(await ada.page.getByLabel('Remind me before a meeting (minutes)').inputValue()).toBe(
      '45',
    );
    expect(await ada.page.getByLabel('Theme').inputValue()).toBe('dark');
    await shot(ada.page, 'expert-dashboard-complete');

    // 2. A guest books, submitting the form twice: one guest, one meeting. The first submit is
    // held and sent twice at once (two identical server-action requests racing, as a flaky
    // network's retry makes them); the second click's submit then reaches the server after
    // those and finds their meeting.
    const guest = await person();
    let raced: string[] = [];
    await guest.page.route('**/book', async (route) => {
      const request = route.request();
      if (request.method() !== 'POST' || raced.length > 0) return route.continue();
      const send = () =>
        guest.context.request.post(request.url(), {
          headers: request.headers(),
          data: request.postDataBuffer() ?? undefined,
        });
      const answers = await Promise.all([send(), send()]);
      raced = await Promise.all(answers.map((answer) => answer.text()));
      await route.fulfill({ response: answers[0] });
    });
    await guest.page.goto('/book');
    await guest.page.getByLabel('Expert').selectOption({ label: 'Dr. Ada Lovelace' });
    await guest.page.getByLabel('Your first name').fill('Noor');
    await guest.page.getByLabel('Your email').fill(GUEST);
    await guest.page.getByLabel('What is it about?').fill('Shoulder pain when lifting');
    await guest.page.getByLabel('Date and time (UTC)').fill('2031-05-14T09:30');
    await shot(guest.page, 'guest-booking-form');
    await guest.page.getByRole('button', { name: 'Book' }).dblclick();
    await guest.page.getByRole('heading', { name: 'Your meeting is booked' }).waitFor();
    expect(await text(guest.page, '#booking-result')).toBe(
      'You had already booked this meeting; nothing was booked twice.',
    );
    // Of the two racing requests, one booked and the other found that booking.
    expect(raced).toHaveLength(2);
    expect(raced.filter((answer) => answer.includes('"created":true'))).toHaveLength(1);
    expect(raced.filter((answer) => answer.includes('"created":false'))).toHaveLength(1);
    await shot(guest.page, 'guest-booking-confirmed');

    // 3. The code from the dev inbox (one: the guest was provisioned once); a wrong one first.
    await guest.page.goto('/dev/inbox');
    expect(await guest.page.locator(`[data-code-for="${GUEST}"]`).count()).toBe(1);
    const code = await text(guest.page, `[data-code-for="${GUEST}"]`);
    await shot(guest.page, 'dev-inbox');
    await guest.page.goto(`/guest/sign-in?email=${encodeURIComponent(GUEST)}`);
    await guest.page.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
    await guest.page.getByRole('button', { name: 'Sign in' }).click();
    await guest.page.locator('#code-error').waitFor();
    expect(await text(guest.page, '#code-error')).toContain(
      'That code is not right or has expired',
    );
    await shot(guest.page, 'guest-sign-in-wrong-code');
    await guest.page.getByLabel('Code').fill(code);
    await guest.page.getByRole('button', { name: 'Sign in' }).click();
    await guest.page.waitForURL('**/meetings');
    await guest.page.getByRole('heading', { name: 'My bookings' }).waitFor();
    expect(await guest.page.locator('tbody tr').count()).toBe(1);
    expect(await text(guest.page, 'tbody')).toContain('Shoulder pain when lifting');
    expect(await text(guest.page, 'tbody')).toContain('Dr. Ada Lovelace');
    await shot(guest.page, 'guest-bookings');
    // A guest owns a personal organization; that must not open the clinic's admin page.
    await guest.page.goto('/admin');
    expect(new URL(guest.page.url()).pathname).toBe('/forbidden');

    // 4. The expert sees the meeting, with the guest's WorkOS ids.
    await ada.page.goto('/meetings');
    expect(await ada.page.locator('tbody tr').count()).toBe(1);
    await ada.page.getByRole('link', { name: /2031-05-14 09:30/ }).click();
    await ada.page.locator('#guest-user-id').waitFor();
    expect(await text(ada.page, 'main')).toContain(GUEST);
    expect(await text(ada.page, '#guest-user-id')).toMatch(/^user_\w+$/);
    expect(await text(ada.page, '#guest-org-id')).toMatch(/^org_\w+$/);
    const meetingPath = new URL(ada.page.url()).pathname;
    await shot(ada.page, 'expert-meeting');
    // A malformed meeting id is a plain 404 page, never an error.
    const malformed = await ada.page.goto('/meetings/not-a-meeting');
    expect(malformed?.status()).toBe(404);
    expect(await text(ada.page, 'h1')).toBe('Page not found');

    // The admin lands on setup statistics and the organization's audit trail.
    const grace = await person();
    await signIn(grace.page, GRACE, '/admin');
    const trail = await text(grace.page, '#audit-trail');
    for (const action of [
      'session.signed_in',
      'expert_setup.step_completed',
      'preferences.updated',
      'meeting.booked',
      'access.read',
    ]) {
      expect(trail).toContain(action);
    }
    expect(trail.match(/meeting\.booked/g)).toHaveLength(1);
    // The booking's event names the guest as actor, and the request's IP and user agent.
    const booked = grace.page.locator('tr[data-action="meeting.booked"] td');
    expect(await booked.nth(3).textContent()).toMatch(/^user_\w+$/);
    expect(await booked.nth(5).textContent()).toMatch(/127\.0\.0\.1|::1/);
    expect(await booked.nth(6).textContent()).toContain('Mozilla');
    // One of Harbor Clinic's experts has a setup under way, Ada, and she finished it (the on-call
    // expert never opened his dashboard).
    expect(Number(await text(grace.page, '#stat-total'))).toBe(1);
    expect(Number(await text(grace.page, '#stat-complete'))).toBe(1);
    await shot(grace.page, 'admin');

    // Who read the guest's records and why; emergency access and its review.
    await walkAccessAccounting({
      browser: walk,
      guest,
      admin: grace,
      guestEmail: GUEST,
      topic: 'Shoulder pain when lifting',
      meetingPath,
    });

    // A user of another organization sees none of it, even at the meeting's own address.
    const sam = await person();
    await signIn(sam.page, SAM, '/dashboard');
    await sam.page.goto('/meetings');
    await sam.page.locator('#no-meetings').waitFor();
    await shot(sam.page, 'other-organization-meetings');
    const direct = await sam.page.goto(meetingPath);
    expect(direct?.status()).toBe(404);
    await shot(sam.page, 'other-organization-meeting-404');
    await sam.page.goto('/admin');
    expect(new URL(sam.page.url()).pathname).toBe('/forbidden');

    // Signing out ends the AuthKit session: the dashboard asks for sign-in again.
    await sam.page.getByRole('button', { name: 'Sign out' }).click();
    await sam.page.waitForURL((url) => url.pathname === '/');
    await sam.page.goto('/dashboard');
    expect(new URL(sam.page.url()).pathname).toBe('/sign-in');

    for (const p of [ada, guest, grace, sam]) await p.context.close();
    expect(pageErrors).toEqual([]);

    // 5. Every step above wrote to the hash-chained audit log: `orgkit audit verify` checks it.
    await app.stop();
    const verify = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'cli', 'bin.js'), 'audit', 'verify'],
      { cwd: work, env: { ...process.env, DATABASE_URL: undefined }, encoding: 'utf8' },
    );
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toContain('audit log intact');
    expect(verify.status).toBe(0);
  }, 120_000);
});
