import { rmSync } from 'node:fs';
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

const APP = 'hono';
const { expert: ADA, admin: GRACE, outsider: SAM } = CLINIC_PEOPLE;
const GUEST = 'bo.guest@example.com';
const TOPIC = 'Knee pain after running';

describeInBrowser('examples/hono in Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  const walk = clinicBrowser(
    APP,
    () => browser,
    () => app.url,
  );
  const { person, shot, text, signIn, pageErrors } = walk;

  beforeAll(async () => {
    rmSync(join(ARTIFACTS_DIR, APP), { recursive: true, force: true });
    [app, browser] = await Promise.all([
      startExampleServer(APP, DEVELOPMENT_ENV),
      launchChromium(),
    ]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('runs the clinic: setup, preferences, a double-submitted booking, magic-auth sign-in, RLS across organizations, the audit trail, access reports and emergency access', async () => {
    onTestFailed(() => {
      console.error(`--- examples/hono output ---\n${app.output()}`);
    });

    // 1. The expert signs in; her dashboard shows the setup and that guests cannot book her yet.
    const ada = await person();
    await signIn(ada.page, ADA, '/dashboard');
    expect(await text(ada.page, '#setup-title')).toBe('Setup: 0 of 3 steps done');
    expect(await ada.page.getByRole('button', { name: 'Open my booking page' }).isDisabled()).toBe(
      true,
    );
    await shot(ada.page, 'expert-dashboard-incomplete');

    const early = await person();
    await early.page.goto('/book');
    await early.page
      .getByLabel('Expert')
      .selectOption({ label: 'Dr. Ada Lovelace (not taking bookings yet)' });
    await early.page.getByLabel('Your first name').fill('Early');
    await early.page.getByLabel('Your email').fill('early@example.com');
    await early.page.getByLabel('What is it about?').fill('Too soon');
    await early.page.getByLabel('Date and time (UTC)').fill('2031-05-14T08:00');
    await early.page.getByRole('button', { name: 'Book' }).click();
    expect(await text(early.page, '#expertId-error')).toContain('not taking bookings until');
    await shot(early.page, 'booking-refused-incomplete-expert');
    await early.context.close();

    for (const [i, label] of [
      'Write your public profile',
      'Set your weekly availability',
      'Connect a payout account',
    ].entries()) {
      await ada.page.getByRole('button', { name: `Mark “${label}” done` }).click();
      await ada.page.getByText(`Setup: ${i + 1} of 3 steps done`).waitFor();
    }
    expect(await ada.page.locator('#bookings-open').isVisible()).toBe(true);

    // Preferences: a bad value is an error beside its field; a good one is saved.
    await ada.page.getByLabel('Remind me before a meeting (minutes)').fill('2');
    await ada.page.getByRole('button', { name: 'Save preferences' }).click();
    expect(await text(ada.page, '#reminderMinutes-error')).toBe(
      'Choose between 5 and 1440 minutes',
    );
    expect(
      await ada.page
        .getByLabel('Remind me before a meeting (minutes)')
        .getAttribute('aria-invalid'),
    ).toBe('true');
    await shot(ada.page, 'expert-preferences-error');
    await ada.page.getByLabel('Remind me before a meeting (minutes)').fill('60');
    await ada.page.getByLabel('Theme').selectOption('dark');
    await ada.page.getByRole('button', { name: 'Save preferences' }).click();
    await ada.page.getByText('Preferences saved.').waitFor();
    await ada.page.reload();
    expect(await ada.page.getByLabel('Remind me before a meeting (minutes)').inputValue()).toBe(
      '60',
    );
    expect(await ada.page.getByLabel('Theme').inputValue()).toBe('dark');
    await shot(ada.page, 'expert-dashboard-complete');

    // 2. A guest clicks Book twice before the answer arrives: two real POSTs of one form (one
    // booking key). One guest, one meeting.
    const guest = await person();
    await guest.page.goto('/book');
    await guest.page.getByLabel('Expert').selectOption({ label: 'Dr. Ada Lovelace' });
    await guest.page.getByLabel('Your first name').fill('Bo');
    await guest.page.getByLabel('Your email').fill(GUEST);
    await guest.page.getByLabel('What is it about?').fill(TOPIC);
    await guest.page.getByLabel('Date and time (UTC)').fill('2031-05-14T09:30');
    await shot(guest.page, 'guest-booking-form');
    const posts: string[] = [];
    guest.page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/book') {
        posts.push(request.postData() ?? '');
      }
    });
    // Each submit reaches the app at once, but the first answer is held until the second submit
    // was sent: on a fast machine the first page could otherwise replace the form before the
    // second click lands.
    let submits = 0;
    let bothSentResolve = () => {};
    const bothSent = new Promise<void>((resolve) => {
      bothSentResolve = resolve;
    });
    await guest.page.route('**/book', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch({ maxRedirects: 0 });
      if (++submits === 2) bothSentResolve();
      await bothSent;
      // The browser dropped the first navigation for the second: its answer has nowhere to go.
      await route.fulfill({ response }).catch(() => {});
    });
    // Mouse clicks at the button, as a person's: a locator click would wait for the first
    // submit's page before clicking again.
    const box = await guest.page.getByRole('button', { name: 'Book' }).boundingBox();
    const x = box!.x + box!.width / 2;
    const y = box!.y + box!.height / 2;
    const firstSent = guest.page.waitForRequest((r) => r.method() === 'POST');
    await guest.page.mouse.click(x, y);
    await firstSent;
    await guest.page.mouse.click(x, y);
    await guest.page.getByRole('heading', { name: 'Your meeting is booked' }).waitFor();
    await guest.page.unroute('**/book');
    expect(submits).toBe(2);
    expect(posts).toHaveLength(2);
    expect(posts[0]).toBe(posts[1]);
    await shot(guest.page, 'guest-booking-confirmed');

    // 3. The code from the dev inbox (one code: one provisioning); a wrong code first.
    await guest.page.getByRole('link', { name: 'dev inbox', exact: true }).click();
    const codes = guest.page.locator(`[data-code-for="${GUEST}"]`);
    expect(await codes.count()).toBe(1);
    const code = (await codes.textContent())?.trim() ?? '';
    expect(code).toMatch(/^\d{6}$/);
    await shot(guest.page, 'dev-inbox');
    await guest.page.goto(`/guest/sign-in?email=${encodeURIComponent(GUEST)}`);
    expect(await guest.page.getByLabel('Email').inputValue()).toBe(GUEST);
    await guest.page.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
    await guest.page.getByRole('button', { name: 'Sign in' }).click();
    expect(await text(guest.page, '#code-error')).toBe('That code is wrong or has expired');
    await shot(guest.page, 'guest-sign-in-wrong-code');
    await guest.page.getByLabel('Code').fill(code);
    await guest.page.getByRole('button', { name: 'Sign in' }).click();
    await guest.page.waitForURL('**/meetings');
    expect(await guest.page.getByRole('heading', { level: 1 }).textContent()).toBe('My bookings');
    expect(await guest.page.locator('tbody tr').count()).toBe(1);
    expect(await text(guest.page, 'tbody')).toContain(TOPIC);
    expect(await text(guest.page, 'tbody')).toContain('Dr. Ada Lovelace');
    await shot(guest.page, 'guest-bookings');
    // A guest owns a personal organization; that must not open the clinic's admin page.
    expect((await guest.page.goto('/admin'))?.status()).toBe(403);

    // 4. The expert sees the one meeting, with the guest's WorkOS ids.
    await ada.page.getByRole('link', { name: 'Meetings', exact: true }).click();
    expect(await ada.page.locator('tbody tr').count()).toBe(1);
    await ada.page.getByRole('link', { name: /2031-05-14 09:30/ }).click();
    const details = await text(ada.page, 'main');
    expect(details).toContain(GUEST);
    expect(details).toMatch(/user_\w+/);
    expect(details).toMatch(/org_\w+/);
    const meetingPath = new URL(ada.page.url()).pathname;
    await shot(ada.page, 'expert-meeting');

    // The admin: setup statistics and the organization's audit trail.
    const grace = await person();
    await signIn(grace.page, GRACE, '/admin');
    expect(await text(grace.page, '#stat-complete')).toBe('1');
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
    // Each event carries the browser's user agent and address, taken from the request.
    const userAgent = await grace.page.evaluate(() => navigator.userAgent);
    const booked = grace.page.locator('tbody tr', { hasText: 'meeting.booked' });
    expect(await booked.locator('.ua').textContent()).toBe(userAgent);
    expect(await booked.locator('td').nth(5).textContent()).toMatch(
      /^(::1|127\.0\.0\.1|::ffff:127\.0\.0\.1)$/,
    );
    await shot(grace.page, 'admin');

    // A user of another organization sees none of it, even at the meeting's own address.
    const sam = await person();
    await signIn(sam.page, SAM, '/meetings');
    await sam.page.locator('#no-meetings').waitFor();
    await shot(sam.page, 'other-organization-meetings');
    const direct = await sam.page.goto(meetingPath);
    expect(direct?.status()).toBe(404);
    expect(await text(sam.page, 'h1')).toBe('Meeting not found');
    const admin = await sam.page.goto('/admin');
    expect(admin?.status()).toBe(403);
    expect(new URL(sam.page.url()).pathname).toBe('/forbidden');
    await shot(sam.page, 'other-organization-admin-refused');

    // Who read the guest's records and why; emergency access and its review.
    await walkAccessAccounting({
      browser: walk,
      guest,
      admin: grace,
      guestEmail: GUEST,
      topic: TOPIC,
      meetingPath,
    });

    // Signing out ends the session: the dashboard asks for sign-in again.
    await ada.page.getByRole('button', { name: 'Sign out' }).click();
    await ada.page.waitForURL((url) => url.pathname === '/');
    await ada.page.goto('/dashboard');
    expect(new URL(ada.page.url()).pathname).toBe('/sign-in');

    for (const p of [ada, guest, grace, sam]) await p.context.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
