import type { EmergencyAccessGrant } from 'orgkit';
import { routes } from '../routes.js';
import type { EmergencyReviewList } from '../services/emergency-access.js';
import type { FormErrors } from '../services/form-errors.js';
import type { AccessReport } from '../services/meetings.js';
import { errorSummary, field } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { layout, type PageContext } from './layout.js';
import { dateTime } from './member-pages.js';

type Entry = AccessReport['entries'][number];

/** A person's access report: who read their records, when, why, and whether in an emergency. */
export function accessReportPage(context: PageContext & AccessReport): string {
  const who = (e: Entry) =>
    e.actor === null
      ? ''
      : 'userId' in e.actor
        ? (context.names[e.actor.userId] ?? e.actor.userId)
        : `system: ${e.actor.system}`;
  // The grants an entry names: those a read was made under, or the grant a break-glass or
  // review event is about.
  const grants = (e: Entry) =>
    e.resourceType === 'emergency_access' ? e.resourceIds : e.emergencyAccessIds;
  const review = (id: string) => {
    const r = context.reviews[id];
    return r ? `reviewed ${dateTime(r.reviewedAt)}: ${r.outcome}` : 'not reviewed yet';
  };
  const notes = (e: Entry) =>
    [
      e.emergencyAccessIds.length > 0 ? 'emergency access' : '',
      ...grants(e).map(review),
      e.impersonator ? `impersonated by ${e.impersonator.email}` : '',
    ]
      .filter(Boolean)
      .join('; ');
  return layout(
    'Who accessed my records',
    html`<p class="hint">From <code>orgkit.accessReport</code>: every recorded read of your records, newest first,
with the review of every emergency access.</p>
<table id="access-report"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Role</th>
<th scope="col">What</th><th scope="col">Purpose</th><th scope="col">Notes</th></tr></thead><tbody>${context.entries.map(
      (
        e,
      ) => html`<tr data-action="${e.action}"><td>${dateTime(e.occurredAt)}</td><td class="who">${who(e)}</td><td>${e.actorRole ?? ''}</td>
<td>${e.action} ${e.resourceType ?? ''}</td><td class="purpose">${e.purpose ?? ''}</td>
<td class="notes">${notes(e)}</td></tr>`,
    )}</tbody></table>`,
    context,
  );
}

/** A labelled textarea with its error, for reasons and notes. */
function textarea(name: string, label: string, value?: string, error?: string): SafeHtml {
  return html`<label for="${name}">${label}</label>
${error && html`<p class="error" id="${name}-error">${error}</p>`}
<textarea id="${name}" name="${name}" rows="3"${error ? html` aria-invalid="true" aria-describedby="${name}-error"` : ''}>${value ?? ''}</textarea>`;
}

/** The break-the-glass form: which patient, why, for how long. */
export function breakGlassPage(
  context: PageContext & {
    values?: Record<string, string> | undefined;
    errors?: FormErrors | undefined;
  },
): string {
  const v = context.values ?? { minutes: '60' };
  const e = context.errors ?? {};
  return layout(
    'Emergency access',
    html`<p>When a patient needs care now and their records are not yours to read, break the glass:
the records open to you alone for the minutes you choose. The privacy officer is told and reviews
every emergency access, and each read under it is marked on the patient's access report.</p>
${errorSummary(context.errors)}
<form method="post" action="${routes.emergencyAccess}" novalidate>
${field({ name: 'patientEmail', label: 'Patient’s email', type: 'email', value: v.patientEmail, error: e.patientEmail })}
${textarea('reason', 'Why you need the records now', v.reason, e.reason)}
${field({ name: 'minutes', label: 'For how many minutes', type: 'number', value: v.minutes, error: e.minutes, attributes: { min: '1', max: '240' } })}
<button type="submit">Break the glass</button>
</form>`,
    context,
  );
}

function grantRow(g: EmergencyAccessGrant, names: Record<string, string>): SafeHtml {
  const name = (id: string | null) => (id ? (names[id] ?? id) : '');
  const verdict = g.review
    ? html`<td class="verdict">${g.review.outcome}${g.review.note ? `: ${g.review.note}` : ''}</td>`
    : html`<td><form method="post" action="${routes.emergencyReview}">
<input type="hidden" name="grantId" value="${g.id}">
<label for="outcome-${g.id}">Verdict</label>
<select id="outcome-${g.id}" name="outcome"><option value="appropriate">appropriate</option>
<option value="inappropriate">inappropriate</option></select>
<label for="note-${g.id}">Note</label>
<textarea id="note-${g.id}" name="note" rows="2"></textarea>
<button type="submit">Record the review</button></form></td>`;
  return html`<tr data-grant="${g.id}"><td>${dateTime(g.grantedAt)}</td><td>${name(g.granteeUserId)}</td>
<td>${name(g.subjectId)}</td><td class="reason">${g.reason}</td><td>${dateTime(g.expiresAt)}</td>${verdict}</tr>`;
}

/** The privacy officer's page: every emergency access of the organization, and its review. */
export function emergencyReviewPage(
  context: PageContext & EmergencyReviewList & { error?: string | undefined },
): string {
  return layout(
    'Review emergency access',
    html`<p class="hint">From <code>orgkit.listEmergencyAccessForReview</code>; each verdict is
<code>orgkit.reviewEmergencyAccess</code>. Reading this list is recorded too.</p>
${context.error && html`<p class="error" role="alert">${context.error}</p>`}
${
  context.grants.length === 0
    ? html`<p id="no-grants">No emergency access to review.</p>`
    : html`<table id="emergency-grants"><thead><tr><th scope="col">Granted</th><th scope="col">Who</th>
<th scope="col">Patient</th><th scope="col">Reason</th><th scope="col">Until</th><th scope="col">Review</th></tr></thead>
<tbody>${context.grants.map((g) => grantRow(g, context.names))}</tbody></table>`
}`,
    context,
  );
}
