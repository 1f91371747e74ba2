import type { InboxMessage } from '../inbox.js';
import { routes } from '../routes.js';
import type { Meeting } from '../schema.js';
import type { BookableExpert } from '../services/booking.js';
import type { FormErrors } from '../services/form-errors.js';
import { errorSummary, field, select } from './forms.js';
import { html } from './html.js';
import { layout, type PageContext } from './layout.js';

/** A person to try, listed on the home and sign-in pages in emulator mode. */
export interface DemoPerson {
  email: string;
  role: string;
}

const dateTime = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function homePage(context: PageContext & { people?: DemoPerson[] }): string {
  return layout(
    'Book time with a Harbor Clinic expert',
    html`<p>This is the orgkit example clinic. Experts sign in with WorkOS AuthKit and finish
their setup before guests can book them; guests book through a public form, get a sign-in code by
email, and see only their own bookings.</p>
<p><a href="${routes.book}">Book a meeting</a></p>
${
  context.people?.length &&
  html`<h2>People to try (development)</h2>
<ul>${context.people.map((p) => html`<li><code>${p.email}</code> (${p.role})</li>`)}</ul>`
}`,
    context,
  );
}

export function signInPage(
  context: PageContext & {
    email?: string | undefined;
    returnTo?: string | undefined;
    error?: string | undefined;
    people?: DemoPerson[] | undefined;
  },
): string {
  return layout(
    'Expert sign-in',
    html`${context.error && errorSummary({ login_hint: context.error })}
<form method="get" action="${routes.authSignIn}" novalidate>
${field({
  name: 'login_hint',
  label: 'Work email',
  type: 'email',
  value: context.email,
  required: true,
  autocomplete: 'email',
  hint: 'You continue to WorkOS AuthKit to sign in.',
  error: context.error,
})}
<input type="hidden" name="returnTo" value="${routes.authContinue}?returnTo=${encodeURIComponent(context.returnTo ?? routes.dashboard)}">
<button type="submit">Continue</button>
</form>
<p>Booked a meeting as a guest? <a href="${routes.guestSignIn}">Sign in with the code we emailed you</a>.</p>
${
  context.people?.length &&
  html`<p class="hint">Development: the WorkOS emulator signs in whoever's email you type, for
example ${context.people.map((p, i) => html`${i ? ', ' : ''}<code>${p.email}</code>`)}.</p>`
}`,
    context,
  );
}

export function bookingPage(
  context: PageContext & {
    experts: BookableExpert[];
    bookingKey: string;
    values?: Record<string, string> | undefined;
    errors?: FormErrors | undefined;
  },
): string {
  const v = context.values ?? {};
  const e = context.errors ?? {};
  const open = context.experts.filter((x) => x.acceptsBookings);
  return layout(
    'Book a meeting',
    html`${errorSummary(context.errors)}
${
  open.length === 0 &&
  html`<p class="notice">No expert is taking bookings yet: an expert must finish their setup first.</p>`
}
<form method="post" action="${routes.book}" novalidate>
<input type="hidden" name="bookingKey" value="${context.bookingKey}">
${select({
  name: 'expertId',
  label: 'Expert',
  value: v.expertId,
  error: e.expertId,
  options: [
    { value: '', label: 'Choose an expert' },
    ...context.experts.map((x) => ({
      value: x.workosUserId,
      label: x.acceptsBookings ? x.name : `${x.name} (not taking bookings yet)`,
    })),
  ],
})}
${field({ name: 'firstName', label: 'Your first name', value: v.firstName, error: e.firstName, required: true, autocomplete: 'given-name' })}
${field({ name: 'email', label: 'Your email', type: 'email', value: v.email, error: e.email, required: true, autocomplete: 'email', hint: 'We email you a code to sign in and see your booking.' })}
${field({ name: 'topic', label: 'What is it about?', value: v.topic, error: e.topic, required: true })}
${field({ name: 'startsAt', label: 'Date and time (UTC)', type: 'datetime-local', value: v.startsAt, error: e.startsAt, required: true })}
<button type="submit">Book</button>
</form>`,
    context,
  );
}

export function bookingConfirmedPage(
  context: PageContext & { meeting: Meeting; expertName: string; created: boolean },
): string {
  const m = context.meeting;
  return layout(
    'Your meeting is booked',
    html`<p class="notice" role="status">${
      context.created ? 'Booked.' : 'You had already booked this meeting; nothing was booked twice.'
    }</p>
<dl><dt>With</dt><dd>${context.expertName}</dd><dt>When</dt><dd>${dateTime(m.startsAt)}</dd>
<dt>About</dt><dd>${m.topic}</dd></dl>
<p>We sent a sign-in code to <strong>${m.guestEmail}</strong>.
<a href="${routes.guestSignIn}?email=${encodeURIComponent(m.guestEmail)}">Sign in to see your bookings</a>.</p>
${context.devInbox && html`<p class="hint">Development: the code is in the <a href="${routes.devInbox}">dev inbox</a>.</p>`}`,
    context,
  );
}

export function inboxPage(context: PageContext & { messages: readonly InboxMessage[] }): string {
  return layout(
    'Dev inbox',
    html`<p>The magic-auth codes the WorkOS emulator issued, newest first. This page exists only
when the clinic runs on the emulator; real WorkOS emails the code.</p>
${
  context.messages.length === 0
    ? html`<p>No codes yet.</p>`
    : html`<table><caption class="hint">Codes expire after 10 minutes</caption>
<thead><tr><th scope="col">To</th><th scope="col">Code</th><th scope="col">Sent</th></tr></thead>
<tbody>${context.messages.map(
        (m) =>
          html`<tr><td>${m.email}</td><td><code data-code-for="${m.email}">${m.code}</code></td><td>${m.sentAt.toISOString()}</td></tr>`,
      )}</tbody></table>`
}`,
    context,
  );
}

export function guestSignInPage(
  context: PageContext & {
    values?: Record<string, string> | undefined;
    errors?: FormErrors | undefined;
    /** Where the form posts (the adapter's magic-auth route). @default routes.guestSignIn */
    action?: string | undefined;
  },
): string {
  const v = context.values ?? {};
  const e = context.errors ?? {};
  return layout(
    'Guest sign-in',
    html`${errorSummary(context.errors)}
<p>Enter the email you booked with and the six-digit code we sent you.</p>
<form method="post" action="${context.action ?? routes.guestSignIn}" novalidate>
${field({ name: 'email', label: 'Email', type: 'email', value: v.email, error: e.email, required: true, autocomplete: 'email' })}
${field({ name: 'code', label: 'Code', value: '', error: e.code, required: true, autocomplete: 'one-time-code', attributes: { inputmode: 'numeric', pattern: '[0-9]*' } })}
<button type="submit">Sign in</button>
</form>`,
    context,
  );
}

export function errorPage(
  context: PageContext & { status: number; title: string; message: string },
): string {
  return layout(
    context.title,
    html`<p>${context.message}</p><p><a href="${routes.home}">Back to the start</a></p>`,
    context,
  );
}
