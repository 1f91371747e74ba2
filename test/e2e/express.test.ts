import { spawnSync } from 'node:child_process';
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

const APP = 'express';
const { expert: ADA, admin: GRACE, outsider: SAM } = CLINIC_PEOPLE;
const LIN = 'lin.chen@lakeside-clinic.example'; // expert, from the sample Clerk export
const OMAR = 'omar.haddad@lakeside-clinic.example'; // admin, from the sample Clerk export
const GUEST = 'rosa.guest@example.com';

const ROOT = join(import.meta.dirname, '..', '..');
// The emulator and PGlite, whatever the test runner's environment points at. PGlite on disk in
// `work`, where `orgkit` run there finds it (./.orgkit/pglite), so that `orgkit audit verify`
// can check the app's audit log once the app has stopped.
const environment = (work: string) => ({
  ...DEVELOPMENT_ENV,
  CLINIC_DATA_DIR: join(work, '.orgkit', 'pglite'),
});

describeInBrowser('examples/express in Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let work: string;
  const walk = clinicBrowser(
    APP,
    () => browser,
    () => app.url,
  );
  const { person, shot, text, signIn, pageErrors } = walk;

  beforeAll(async () => {
    rmSync(join(ARTIFACTS_DIR, APP), { recursive: true, force: true });
    work = mkdtempSync(join(tmpdir(), 'orgkit-e2e-express-'));
    [app, browser] = await Promise.all([
      startExampleServer(APP, environment(work), ['--import-clerk']),
      launchChromium(),
    ]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs the clinic: setup, preferences, a double-submitted booking, guest sign-in, RLS across organizations, access reports and emergency access, the Clerk import', async () => {
    onTestFailed(() => {
      console.error(`--- examples/express output ---\n${app.output()}`);
    });

    // 1. The expert signs in; the dashboard shows her setup and blocks bookings until it is done.
    const ada = await person('e2e/ada');
    await signIn(ada.page, ADA, '/dashboard');
    expect(await text(ada.page, '#setup-title')).toBe('Setup: 0 of 3 steps done');
    expect(await ada.page.locator('#bookings-closed').isVisible()).toBe(true);
    await shot(ada.page, 'expert-dashboard-incomplete');

    const early = await person('e2e/early');
    await early.page.goto('/book');
    expect(await early.page.getByLabel('Expert').textContent()).toContain(
      'Dr. Ada Lovelace (not taking bookings yet)',
    );
    await early.context.close();

    // Steps one by one, each its own button.
    for (const label of [
      'Write your public profile',
      'Set your weekly availability',
      'Connect a payout account',
    ]) {
      await ada.page.getByRole('button', { name: `Mark “${label}” done` }).click();
      await ada.page.waitForURL('**/dashboard');
    }
    expect(await text(ada.page, '#setup-title')).toBe('Setup: 3 of 3 steps done');
    expect(await ada.page.locator('#bookings-open').isVisible()).toBe(true);

    // Preferences: a bad value is shown on the form, a good one saved.
    await ada.page.getByLabel('Remind me before a meeting (minutes)').fill('2');
    await ada.page.getByRole('button', { name: 'Save preferences' }).click();
    expect(await ada.page.locator('[role=alert]').first().textContent()).toMatch(/5/);
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

    // 2. A guest books, submitting the form twice: one guest, one meeting.
    const guest = await person('e2e/guest');
    await guest.page.goto('/book');
    await guest.page.getByLabel('Expert').selectOption({ label: 'Dr. Ada Lovelace' });
    await guest.page.getByLabel('Your first name').fill('Rosa');
    await guest.page.getByLabel('Your email').fill(GUEST);
    await guest.page.getByLabel('What is it about?').fill('Knee pain after running');
    await guest.page.getByLabel('Date and time (UTC)').fill('2031-05-14T09:30');
    await shot(guest.page, 'guest-booking-form');
    const fields = await guest.page.evaluate(() => {
      const form = document.querySelector<HTMLFormElement>('form[action="/book"]');
      return new URLSearchParams(new FormData(form ?? undefined) as never).toString();
    });
    await guest.page.getByRole('button', { name: 'Book' }).dblclick();
    await guest.page.getByRole('heading', { name: 'Your meeting is booked' }).waitFor();
    await shot(guest.page, 'guest-booking-confirmed');
    // The same form sent twice more at once from the page: the first booking is found, twice.
    const again = await guest.page.evaluate(async (body) => {
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      const send = async () => {
        const response = await fetch('/book', { method: 'POST', body, headers });
        return { status: response.status, page: await response.text() };
      };
      return Promise.all([send(), send()]);
    }, fields);
    for (const answer of again) {
      expect(answer.status).toBe(200);
      expect(answer.page).toContain(
        'You had already booked this meeting; nothing was booked twice.',
      );
    }

    // 3. The code from the dev inbox; a wrong one first.
    await guest.page.goto('/dev/inbox');
    const codes = guest.page.locator(`[data-code-for="${GUEST}"]`);
    expect(await codes.count()).toBe(1);
    const code = await text(guest.page, `[data-code-for="${GUEST}"]`);
    await shot(guest.page, 'dev-inbox');
    await guest.page.goto(`/guest/sign-in?email=${encodeURIComponent(GUEST)}`);
    const wrong = code === '000000' ? '111111' : '000000';
    await guest.page.getByLabel('Code').fill(wrong);
    await guest.page.getByRole('button', { name: 'Sign in' }).click();
    expect(await guest.page.locator('[role=alert]').first().textContent()).toContain(
      'That code is wrong or has expired',
    );
    await shot(guest.page, 'guest-sign-in-wrong-code');
    await guest.page.getByLabel('Code').fill(code);
    await guest.page.getByRole('button', { name: 'Sign in' }).click();
    await guest.page.waitForURL('**/meetings');
    expect(await guest.page.locator('tbody tr').count()).toBe(1);
    expect(await text(guest.page, 'tbody')).toContain('Knee pain after running');
    await shot(guest.page, 'guest-bookings');
    // A guest owns a personal organization; that must not open the clinic's admin page.
    await guest.page.goto('/admin');
    expect(new URL(guest.page.url()).pathname).toBe('/forbidden');

    // 4. The expert sees the meeting, with the guest's WorkOS ids.
    await ada.page.goto('/meetings');
    expect(await ada.page.locator('tbody tr').count()).toBe(1);
    await ada.page.getByRole('link', { name: /2031-05-14 09:30/ }).click();
    const details = await text(ada.page, 'main');
    expect(details).toContain(GUEST);
    expect(details).toMatch(/user_\w+/);
    expect(details).toMatch(/org_\w+/);
    const meetingPath = new URL(ada.page.url()).pathname;
    await shot(ada.page, 'expert-meeting');

    // The admin: setup statistics and the organization's audit trail.
    const grace = await person('e2e/grace');
    await signIn(grace.page, GRACE, '/admin');
    const trail = await text(grace.page, 'main');
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
    // Each with its actor's own browser (user agent) and IP, taken from the request scope.
    const row = (action: string) =>
      text(grace.page, `tbody tr:has(td:text-is("${action}")) >> nth=0`);
    expect(await row('meeting.booked')).toContain('e2e/guest');
    expect(await row('expert_setup.step_completed')).toContain('e2e/ada');
    expect(await row('preferences.updated')).toMatch(/(::1|127\.0\.0\.1)e2e\/ada/);
    expect(Number(await text(grace.page, '#stat-complete'))).toBeGreaterThanOrEqual(1);
    await shot(grace.page, 'admin');

    // Who read the guest's records and why; emergency access and its review.
    await walkAccessAccounting({
      browser: walk,
      guest,
      admin: grace,
      guestEmail: GUEST,
      topic: 'Knee pain after running',
      meetingPath,
    });

    // A user of another organization sees none of it, even at the meeting's own address.
    const sam = await person('e2e/sam');
    await signIn(sam.page, SAM, '/dashboard');
    await sam.page.goto('/meetings');
    expect(await sam.page.locator('tbody tr').count()).toBe(0);
    expect(await sam.page.locator('#no-meetings').isVisible()).toBe(true);
    await shot(sam.page, 'other-organization-meetings');
    const direct = await sam.page.goto(meetingPath);
    expect(direct?.status()).toBe(404);
    const refused = await sam.page.goto('/admin');
    expect(new URL(sam.page.url()).pathname).toBe('/forbidden');
    expect(refused?.status()).toBe(403);
    // Sign-out ends the session (WorkOS revokes it) and comes back to the start page.
    await sam.page.getByRole('button', { name: 'Sign out' }).click();
    await sam.page.waitForURL(`${app.url}/`);
    await sam.page.goto('/meetings');
    expect(new URL(sam.page.url()).pathname).toBe('/sign-in');

    // 6. A migrated Clerk expert signs in, with the role, setup and preferences Clerk had.
    const lin = await person('e2e/lin');
    await signIn(lin.page, LIN, '/dashboard');
    expect(await text(lin.page, '#setup-title')).toBe('Setup: 2 of 3 steps done');
    expect(await lin.page.getByLabel('Theme').inputValue()).toBe('dark');
    expect(await lin.page.getByLabel('Remind me before a meeting (minutes)').inputValue()).toBe(
      '60',
    );
    await shot(lin.page, 'migrated-clerk-expert');
    // And a migrated admin (Clerk role `admin`, membership role `admin` from roles.csv).
    const omar = await person('e2e/omar');
    await signIn(omar.page, OMAR, '/admin');

    for (const p of [ada, guest, grace, sam, lin, omar]) await p.context.close();
    expect(pageErrors).toEqual([]);

    // 5. Every step above wrote to the hash-chained audit log: `orgkit audit verify` checks it.
    await app.stop();
    const cli = join(ROOT, 'dist', 'cli', 'bin.js');
    const verify = spawnSync(process.execPath, [cli, 'audit', 'verify', '--json'], {
      cwd: work,
      env: { ...process.env, DATABASE_URL: undefined },
      encoding: 'utf8',
    });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    const report = JSON.parse(verify.stdout) as {
      valid: boolean;
      chains: { organizationId: string | null; events: number; valid: boolean }[];
    };
    expect(report.valid).toBe(true);
    // Harbor Clinic's chain holds at least the sign-ins, steps, preferences, booking and views.
    expect(Math.max(...report.chains.map((c) => c.events))).toBeGreaterThanOrEqual(10);
  }, 90_000);
});
