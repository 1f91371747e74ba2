import { expect } from 'vitest';
import { type BrowserPerson, CLINIC_PEOPLE, type clinicBrowser } from './clinic-browser.js';

/** What the walk needs from a clinic test: its browser helpers, and who and what it booked. */
export interface AccessAccountingWalk {
  browser: ReturnType<typeof clinicBrowser>;
  /** The guest, signed in; the admin (Grace), signed in. */
  guest: BrowserPerson;
  admin: BrowserPerson;
  /** The guest's email and the meeting's topic and path, which the expert has viewed. */
  guestEmail: string;
  topic: string;
  meetingPath: string;
}

const REASON = 'Seen in A&E after a fall; the knee history matters now';

/** The access report's rows of one action by one person (named on the report). */
const rows = (page: BrowserPerson['page'], action: string, who: string) =>
  page.locator(`#access-report tr[data-action="${action}"]`, { hasText: who });

/**
 * The access accounting of issue 23, the same in every example app: the guest's access report
 * lists the expert's view with its purpose; the on-call expert sees no meetings until he breaks
 * the glass with a reason (refused without one), then reads the meeting; the admin, the
 * organization's privacy officer, reviews the grant; the guest's report then shows the
 * emergency read, marked as such, with its review, and the privacy officer's compliance read.
 */
export async function walkAccessAccounting(w: AccessAccountingWalk): Promise<void> {
  const { person, shot, text, signIn } = w.browser;
  const { guest, admin } = w;

  // The guest's report: the expert's view of the meeting, for treatment.
  await guest.page.goto('/my-access');
  const adaRead = rows(guest.page, 'access.read', 'Ada Lovelace');
  expect(await adaRead.count()).toBeGreaterThan(0);
  expect(await adaRead.first().locator('.purpose').textContent()).toBe('TREAT');
  expect(await adaRead.first().locator('.notes').textContent()).toBe('');
  await shot(guest.page, 'guest-access-report');

  // Kofi, on call at the same clinic, holds no meetings:read: the policies show him nothing.
  const kofi = await person('e2e/kofi');
  await signIn(kofi.page, CLINIC_PEOPLE.onCall, '/meetings');
  await kofi.page.locator('#no-meetings').waitFor();
  expect((await kofi.page.goto(w.meetingPath))?.status()).toBe(404);

  // Breaking the glass needs a reason.
  await kofi.page.goto('/emergency-access');
  await kofi.page.getByLabel(/Patient.s email/).fill(w.guestEmail);
  await kofi.page.getByLabel('For how many minutes').fill('30');
  await kofi.page.getByRole('button', { name: 'Break the glass' }).click();
  await kofi.page.locator('#reason-error').waitFor();
  expect(await text(kofi.page, '#reason-error')).toContain('Say why you need the records');
  await shot(kofi.page, 'break-glass-without-reason');
  await kofi.page.getByLabel('Why you need the records now').fill(REASON);
  await kofi.page.getByRole('button', { name: 'Break the glass' }).click();
  await kofi.page.waitForURL('**/meetings');
  expect(await text(kofi.page, 'tbody')).toContain(w.topic);
  await shot(kofi.page, 'break-glass-meetings');
  await kofi.page.goto(w.meetingPath);
  expect(await text(kofi.page, 'main')).toContain(w.guestEmail);
  await shot(kofi.page, 'break-glass-meeting');

  // The privacy officer reads the reason and records the verdict.
  await admin.page.goto('/admin/emergency-access');
  const grant = admin.page.locator('#emergency-grants tr[data-grant]', { hasText: 'Kofi Mensah' });
  expect(await grant.count()).toBe(1);
  expect(await grant.locator('.reason').textContent()).toBe(REASON);
  await grant.getByLabel('Verdict').selectOption('appropriate');
  await grant.getByLabel('Note').fill('On-call rota; patient in A&E');
  await shot(admin.page, 'emergency-review-form');
  await grant.getByRole('button', { name: 'Record the review' }).click();
  await grant.locator('.verdict').waitFor();
  expect(await grant.locator('.verdict').textContent()).toBe(
    'appropriate: On-call rota; patient in A&E',
  );
  await shot(admin.page, 'emergency-reviewed');

  // The guest's report: the emergency read (ETREAT, marked, reviewed), the grant, the review.
  await guest.page.goto('/my-access');
  const linRead = rows(guest.page, 'access.read', 'Kofi Mensah');
  expect(await linRead.count()).toBeGreaterThan(0);
  expect(await linRead.first().locator('.purpose').textContent()).toBe('ETREAT');
  expect(await linRead.first().locator('.notes').textContent()).toMatch(
    /^emergency access; reviewed .+: appropriate$/,
  );
  expect(await rows(guest.page, 'access.break_glass', 'Kofi Mensah').count()).toBe(1);
  expect(await rows(guest.page, 'access.emergency_reviewed', 'Grace Hopper').count()).toBe(1);
  // The review list named the patient and showed the reason: a compliance read of the record.
  const review = rows(guest.page, 'access.read', 'Grace Hopper');
  expect(await review.first().locator('.purpose').textContent()).toBe('HCOMPL');
  // Ada's ordinary read stays ordinary.
  expect(await adaRead.first().locator('.notes').textContent()).toBe('');
  await shot(guest.page, 'guest-access-report-emergency');
  await kofi.context.close();
}
