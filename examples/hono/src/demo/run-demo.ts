import { type Clinic, meetings } from '@orgkit-examples/clinic';
import { and, eq, sql } from 'drizzle-orm';
import { auditLogs } from 'orgkit/drizzle';
import type { createApp } from '../app.js';
import { check, extract, step } from './checks.js';
import { createInProcessBrowser, type InProcessBrowser } from './in-process-browser.js';

type App = ReturnType<typeof createApp>;

const GUEST = { email: 'bo.guest@example.com', firstName: 'Bo', topic: 'Knee pain after running' };
const OTHER_GUEST = { email: 'cy.guest@example.com', firstName: 'Cy', topic: 'Shoulder check-up' };
const ADDRESSES = {
  expert: '198.51.100.10',
  guest: '203.0.113.25',
  admin: '198.51.100.11',
  outsider: '192.0.2.40',
  onCall: '198.51.100.12',
} as const;

/** Tomorrow at `hour`:00 UTC, as a `datetime-local` value. */
function tomorrowAt(hour: number): string {
  const d = new Date(Date.now() + 24 * 3600 * 1000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;
}

/**
 * The whole clinic flow, headless, against the Hono app in this process: each person is an
 * in-process browser with its own cookies, IP address and user agent. Prints one line per step;
 * stops at the first step that fails. Returns whether every step passed.
 */
export async function runDemoFlow(
  clinic: Clinic,
  app: App,
  out: (line: string) => void,
): Promise<boolean> {
  const people = clinic.people;
  const inbox = clinic.inbox;
  if (!people || !inbox) {
    out(
      '  ✗ the demo needs the WorkOS emulator: unset WORKOS_API_KEY / WORKOS_CLIENT_ID / WORKOS_REDIRECT_URI',
    );
    return false;
  }
  const browser = (who: keyof typeof ADDRESSES) =>
    createInProcessBrowser(app, {
      baseUrl: clinic.baseUrl,
      userAgent: `orgkit-demo (${who})`,
      remoteAddress: ADDRESSES[who],
    });
  const expert = browser('expert');
  const guest = browser('guest');
  const admin = browser('admin');
  const outsider = browser('outsider');
  const onCall = browser('onCall');
  const signIn = async (b: InProcessBrowser, email: string, then: string) => {
    const form = await b.get(`/sign-in?returnTo=${encodeURIComponent(then)}`);
    check(form.status === 200 && form.text.includes('name="login_hint"'), 'no sign-in form');
    const returnTo = extract(form.text, /name="returnTo" value="([^"]+)"/, 'the returnTo field');
    const query = new URLSearchParams({
      login_hint: email,
      returnTo: returnTo.replaceAll('&amp;', '&'),
    });
    return b.get(`/auth/sign-in?${query}`);
  };

  let meetingId = '';
  let guestUserId = '';
  const steps: [string, () => Promise<string | undefined>][] = [
    [
      `Expert ${people.expert.email} signs in through AuthKit (the emulator signs in the login_hint)`,
      async () => {
        const page = await signIn(expert, people.expert.email, '/dashboard');
        check(new URL(page.url).pathname === '/dashboard', `landed on ${page.url}, not /dashboard`);
        check(page.text.includes('Setup: 0 of 3 steps done'), 'the dashboard does not show 0 of 3');
        return 'sealed-session cookie set, session entered Harbor Clinic; dashboard: setup 0 of 3';
      },
    ],
    [
      'While setup is incomplete, guests cannot book the expert',
      async () => {
        const form = await guest.get('/book');
        const page = await guest.post('/book', {
          bookingKey: extract(form.text, /name="bookingKey" value="([^"]+)"/, 'the booking key'),
          expertId: people.expert.workosUserId,
          ...GUEST,
          startsAt: tomorrowAt(10),
        });
        check(page.status === 400, `the booking answered ${page.status}, not 400`);
        check(
          page.text.includes('not taking bookings until their setup is complete'),
          'no form error',
        );
        return 'form error: “Dr. Ada Lovelace is not taking bookings until their setup is complete”';
      },
    ],
    [
      'Setup steps go one by one: skipping to “payment” is refused',
      async () => {
        const page = await expert.post('/dashboard/setup', { step: 'payment' });
        check(
          page.status === 400 && page.text.includes('first'),
          'skipping a step was not refused',
        );
        return 'form error: complete “Write your public profile” first';
      },
    ],
    [
      'The expert completes profile, availability and payment (orgkit.markStepComplete)',
      async () => {
        for (const [i, s] of ['profile', 'availability', 'payment'].entries()) {
          const page = await expert.post('/dashboard/setup', { step: s });
          check(page.text.includes(`Setup: ${i + 1} of 3 steps done`), `step ${s} did not count`);
        }
        const page = await expert.get('/dashboard');
        check(
          page.text.includes('id="bookings-open"'),
          'the dashboard does not show bookings open',
        );
        return 'dashboard: 3 of 3, bookings open';
      },
    ],
    [
      'The expert changes preferences; a bad value is a form error (orgkit.updateUserPreferences)',
      async () => {
        const fields = { emailNotifications: 'on', theme: 'dark', language: 'es' };
        const bad = await expert.post('/dashboard/preferences', {
          ...fields,
          reminderMinutes: '2',
        });
        check(bad.status === 400, `a 2-minute reminder answered ${bad.status}, not 400`);
        check(bad.text.includes('Choose between 5 and 1440 minutes'), 'no error beside the field');
        const good = await expert.post('/dashboard/preferences', {
          ...fields,
          reminderMinutes: '60',
        });
        check(good.text.includes('Preferences saved'), 'the preferences were not saved');
        check(/value="dark" selected/.test(good.text), 'the saved theme is not shown');
        const stored = await clinic.orgkit.getUserPreferences(people.expert.workosUserId, {
          actor: { system: 'orgkit-demo' },
        });
        check(stored.theme === 'dark' && stored.reminderMinutes === 60, 'not stored');
        return '“2 minutes” → “Choose between 5 and 1440 minutes”; then dark, Español, 60 min saved';
      },
    ],
    [
      'A guest submits the booking form twice at once (a double click)',
      async () => {
        const form = await guest.get('/book');
        const fields = {
          bookingKey: extract(form.text, /name="bookingKey" value="([^"]+)"/, 'the booking key'),
          expertId: people.expert.workosUserId,
          ...GUEST,
          startsAt: tomorrowAt(10),
        };
        const pages = await Promise.all([guest.post('/book', fields), guest.post('/book', fields)]);
        check(
          pages.every((p) => p.status === 200),
          'a submit was not answered with the confirmation',
        );
        const rows = await clinic.db
          .select()
          .from(meetings)
          .where(eq(meetings.guestEmail, GUEST.email));
        check(rows.length === 1, `${rows.length} meetings were booked, not 1`);
        const { data: users } = await clinic.workos.userManagement.listUsers({
          email: GUEST.email,
        });
        check(users.length === 1, `WorkOS has ${users.length} users for the guest, not 1`);
        const codes = inbox.messages().filter((m) => m.email === GUEST.email);
        check(codes.length === 1, `${codes.length} magic-auth codes were sent, not 1`);
        meetingId = rows[0]!.id;
        guestUserId = users[0]!.id;
        // Another guest's booking, which the first guest must not see.
        const otherGuest = browser('guest');
        const other = await otherGuest.get('/book');
        const booked = await otherGuest.post('/book', {
          bookingKey: extract(other.text, /name="bookingKey" value="([^"]+)"/, 'the booking key'),
          expertId: people.expert.workosUserId,
          ...OTHER_GUEST,
          startsAt: tomorrowAt(11),
        });
        check(booked.status === 200, `another guest's booking answered ${booked.status}`);
        return '2 submits → 1 WorkOS user, 1 meeting, 1 code (orgkit.provisionMeetingGuest + a unique booking key); another guest booked 11:00';
      },
    ],
    [
      "The meeting row stores the guest's WorkOS user and personal organization",
      async () => {
        const [row] = await clinic.db.select().from(meetings).where(eq(meetings.id, meetingId));
        check(
          row?.guestWorkosUserId === guestUserId,
          'the meeting does not hold the guest user id',
        );
        const { data } = await clinic.workos.userManagement.listOrganizationMemberships({
          userId: guestUserId,
        });
        check(
          data.some((m) => m.organizationId === row.guestOrgId && m.role?.slug === 'owner'),
          "the meeting's guest organization is not the guest's own",
        );
        return `guest ${row.guestWorkosUserId}, owner of ${row.guestOrgId}`;
      },
    ],
    [
      'The guest reads the code in the dev inbox, a wrong code is refused, the right one signs in',
      async () => {
        const inboxPage = await guest.get('/dev/inbox');
        const code = extract(
          inboxPage.text,
          new RegExp(`data-code-for="${GUEST.email.replaceAll('.', '\\.')}">(\\d{6})<`),
          "the guest's code",
        );
        const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
        const refused = await guest.post('/guest/sign-in', { email: GUEST.email, code: wrong });
        check(refused.status === 401, `a wrong code answered ${refused.status}, not 401`);
        check(refused.text.includes('That code is wrong or has expired'), 'no form error');
        const page = await guest.post('/guest/sign-in', { email: GUEST.email, code });
        check(new URL(page.url).pathname === '/meetings', `landed on ${page.url}, not /meetings`);
        return 'wrong code → “That code is wrong or has expired”; right code → My bookings';
      },
    ],
    [
      'The guest sees only their own booking (withRls: the shared-user policy)',
      async () => {
        const page = await guest.get('/meetings');
        check(page.text.includes(GUEST.topic), 'the booking is not listed');
        check(!page.text.includes(OTHER_GUEST.topic), "the other guest's booking is listed");
        check((page.text.match(/href="\/meetings\//g) ?? []).length === 1, 'not exactly 1 meeting');
        return `1 of the 2 meetings: “${GUEST.topic}”`;
      },
    ],
    [
      'The expert sees the meeting (withRls: the organization policy)',
      async () => {
        const list = await expert.get('/meetings');
        check(list.text.includes(GUEST.email), 'the meeting is not listed for the expert');
        check(list.text.includes(OTHER_GUEST.email), "the other guest's meeting is not listed");
        const detail = await expert.get(`/meetings/${meetingId}`);
        check(detail.status === 200 && detail.text.includes(guestUserId), 'no meeting page');
        return `Meetings lists both; /meetings/${meetingId} shows the guest's WorkOS ids`;
      },
    ],
    [
      'The guest reads who accessed their records (orgkit.accessReport)',
      async () => {
        const page = await guest.get('/my-access');
        check(page.status === 200, `/my-access answered ${page.status}`);
        const expertRead = new RegExp(
          `<tr data-action="access.read">[^]*?${people.expert.firstName} ${people.expert.lastName}[^]*?<td class="purpose">TREAT</td>`,
        );
        check(expertRead.test(page.text), "the expert's read with purpose TREAT is not listed");
        check(
          page.text.includes('<td class="purpose">PATRQT</td>'),
          'the guest’s own read is not listed',
        );
        return "the expert's view of the meeting (TREAT) and the guest's own (PATRQT)";
      },
    ],
    [
      `Admin ${people.admin.email} sees setup statistics and the audit trail`,
      async () => {
        const page = await signIn(admin, people.admin.email, '/admin');
        check(new URL(page.url).pathname === '/admin', `landed on ${page.url}, not /admin`);
        check(/id="stat-complete">1</.test(page.text), 'the stats do not count 1 complete expert');
        for (const action of [
          'meeting.booked',
          'expert_setup.step_completed',
          'preferences.updated',
        ]) {
          check(page.text.includes(action), `the audit trail does not show ${action}`);
        }
        return 'orgkit.getSetupStats(): 1 complete; orgkit.queryAuditEvents(): the organization trail';
      },
    ],
    [
      `${people.outsider.email}, of another organization, sees none of it`,
      async () => {
        const list = await signIn(outsider, people.outsider.email, '/meetings');
        check(list.text.includes('id="no-meetings"'), 'the outsider sees meetings');
        const detail = await outsider.get(`/meetings/${meetingId}`);
        check(detail.status === 404, `the meeting page answered ${detail.status}, not 404`);
        const adminPage = await outsider.get('/admin');
        check(adminPage.status === 403, `the admin page answered ${adminPage.status}, not 403`);
        return 'Meetings: none; the meeting by its id: 404 (RLS, not a route check); Admin: 403';
      },
    ],
    [
      `On-call ${people.onCall.email} breaks the glass for the guest; the admin reviews it`,
      async () => {
        const before = await signIn(onCall, people.onCall.email, '/meetings');
        check(
          before.text.includes('id="no-meetings"'),
          'the on-call expert sees meetings at first',
        );
        const glass = {
          patientEmail: GUEST.email,
          reason: 'Seen in A&E after a fall',
          minutes: '30',
        };
        const refused = await onCall.post('/emergency-access', { ...glass, reason: '' });
        check(refused.status === 400, `a grant without a reason answered ${refused.status}`);
        const list = await onCall.post('/emergency-access', glass);
        check(list.text.includes(GUEST.topic), "the guest's meeting is not listed under the grant");
        const detail = await onCall.get(`/meetings/${meetingId}`);
        check(detail.status === 200, `the meeting answered ${detail.status} under the grant`);
        const review = await admin.get('/admin/emergency-access');
        const grantId = extract(
          review.text,
          /name="grantId" value="([^"]+)"/,
          'the grant to review',
        );
        const reviewed = await admin.post('/admin/emergency-access', {
          grantId,
          outcome: 'appropriate',
          note: 'Fall in A&E, on-call rota',
        });
        check(reviewed.text.includes('<td class="verdict">appropriate'), 'the review is not shown');
        const report = await guest.get('/my-access');
        const emergencyRead = new RegExp(
          `${people.onCall.firstName} ${people.onCall.lastName}[^]*?<td class="purpose">ETREAT</td>\\s*<td class="notes">emergency access; reviewed [^<]*: appropriate`,
        );
        check(
          emergencyRead.test(report.text),
          "the guest's report lacks the reviewed emergency read",
        );
        return 'no meetings → breakGlass (30 min, a reason) → the meeting (ETREAT) → reviewed: appropriate; on the guest’s report';
      },
    ],
    [
      'Every step wrote an audit event with its actor, organization, IP address and user agent',
      async () => {
        const expect = [
          ['session.signed_in', people.expert.workosUserId, people.harborClinic.id, 'expert'],
          [
            'expert_setup.step_completed',
            people.expert.workosUserId,
            people.harborClinic.id,
            'expert',
          ],
          ['preferences.updated', people.expert.workosUserId, people.harborClinic.id, 'expert'],
          ['meeting.booked', guestUserId, people.harborClinic.id, 'guest'],
          ['access.read', guestUserId, people.harborClinic.id, 'guest'],
          ['access.read', people.expert.workosUserId, people.harborClinic.id, 'expert'],
          ['audit.read', people.admin.workosUserId, people.harborClinic.id, 'admin'],
          ['access.denied', people.outsider.workosUserId, people.otherClinic.id, 'outsider'],
          ['access.break_glass', people.onCall.workosUserId, people.harborClinic.id, 'onCall'],
          ['access.emergency_reviewed', people.admin.workosUserId, people.harborClinic.id, 'admin'],
        ] as const;
        for (const [action, actor, org, who] of expect) {
          const rows = await clinic.db
            .select()
            .from(auditLogs)
            .where(and(eq(auditLogs.action, action), eq(auditLogs.actorWorkosUserId, actor)));
          const row = rows.find((r) => org === undefined || r.workosOrgId === org);
          check(row, `no ${action} event by ${who}${org ? ` in ${org}` : ''}`);
          check(row.ipAddress === ADDRESSES[who], `${action}: IP ${row.ipAddress}`);
          check(row.userAgent === `orgkit-demo (${who})`, `${action}: user agent ${row.userAgent}`);
        }
        const [{ count } = { count: 0 }] = await clinic.db
          .select({ count: sql<number>`count(*)::int` })
          .from(auditLogs);
        return `${expect.length} kinds of event checked; ${count} events in all`;
      },
    ],
    [
      'orgkit audit verify: every hash chain is intact',
      async () => {
        const report = await clinic.orgkit.verifyAuditChain();
        check(report.valid, `broken: ${JSON.stringify(report.firstProblem)}`);
        return `${report.eventsChecked} events in ${report.chains.length} chains verified`;
      },
    ],
  ];

  for (const [i, [label, run]] of steps.entries()) {
    if (!(await step(out, `${i + 1}. ${label}`, run))) {
      out(`\nThe demo stopped at step ${i + 1}.`);
      return false;
    }
  }
  out('\nThe demo ran end to end.');
  return true;
}
