import type { ClinicPreferences } from '../access.js';
import { routes } from '../routes.js';
import type { Meeting } from '../schema.js';
import type { AdminOverview } from '../services/admin.js';
import type { ExpertDashboard } from '../services/dashboard.js';
import type { FormErrors } from '../services/form-errors.js';
import { errorSummary, field, select } from './forms.js';
import { html } from './html.js';
import { layout, type PageContext } from './layout.js';

export const dateTime = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function meetingsPage(
  context: PageContext & {
    meetings: Meeting[];
    /** Experts' names by WorkOS user id, for a guest's list (`booking.listExperts()`). */
    expertNames?: Record<string, string> | undefined;
  },
): string {
  const guest = context.viewer?.kind === 'guest';
  const expert = (id: string) => context.expertNames?.[id] ?? id;
  return layout(
    guest ? 'My bookings' : 'Meetings',
    html`${
      context.meetings.length === 0
        ? html`<p id="no-meetings">No meetings to show.</p>`
        : html`<table><thead><tr><th scope="col">When</th><th scope="col">About</th>
<th scope="col">${guest ? 'Expert' : 'Guest'}</th></tr></thead><tbody>${context.meetings.map(
            (m) => html`<tr><td><a href="${routes.meeting(m.id)}">${dateTime(m.startsAt)}</a></td>
<td>${m.topic}</td><td>${guest ? expert(m.expertWorkosUserId) : `${m.guestFirstName ?? ''} <${m.guestEmail}>`}</td></tr>`,
          )}</tbody></table>`
    }
<p class="hint">Read through <code>orgkit.withRls</code>: the database's policies choose these rows.</p>`,
    context,
  );
}

export function meetingPage(context: PageContext & { meeting: Meeting }): string {
  const m = context.meeting;
  return layout(
    m.topic,
    html`<dl><dt>When</dt><dd>${dateTime(m.startsAt)}</dd>
<dt>Guest</dt><dd>${m.guestFirstName} (${m.guestEmail})</dd>
<dt>Guest's WorkOS user</dt><dd><code>${m.guestWorkosUserId}</code></dd>
<dt>Guest's organization</dt><dd><code>${m.guestOrgId}</code></dd></dl>
<p><a href="${routes.meetings}">All meetings</a></p>`,
    context,
  );
}

function setupSection(d: ExpertDashboard, stepError?: string) {
  return html`<section aria-labelledby="setup-title">
<h2 id="setup-title">Setup: ${d.completed} of ${d.steps.length} steps done</h2>
<progress max="${d.steps.length}" value="${d.completed}" aria-labelledby="setup-title"></progress>
${stepError && html`<p class="error" role="alert">${stepError}</p>`}
<ol>${d.steps.map(
    (s) =>
      html`<li>${s.done ? html`<span class="done">✓ ${s.label}</span>` : s.label}${
        s.step === d.nextStep &&
        html` <form method="post" action="${routes.setupStep}" style="display:inline">
<input type="hidden" name="step" value="${s.step}"><button type="submit">Mark “${s.label}” done</button></form>`
      }</li>`,
  )}</ol>
${
  d.isSetupComplete
    ? html`<p class="notice" id="bookings-open">Setup complete: guests can book you on the <a href="${routes.book}">booking page</a>.</p>`
    : html`<p id="bookings-closed">Guests cannot book you until your setup is complete.</p>
<button type="button" disabled aria-describedby="bookings-closed">Open my booking page</button>`
}
</section>`;
}

function preferencesSection(
  p: ClinicPreferences,
  errors?: FormErrors,
  values?: Record<string, string>,
  saved?: boolean,
) {
  const v = values ?? {
    reminderMinutes: String(p.reminderMinutes),
    theme: p.theme,
    language: p.language,
    ...(p.emailNotifications ? { emailNotifications: 'on' } : {}),
  };
  const e = errors ?? {};
  return html`<section aria-labelledby="prefs-title">
<h2 id="prefs-title">Preferences</h2>
${saved && html`<p class="notice" role="status">Preferences saved.</p>`}
${errorSummary(errors)}
<form method="post" action="${routes.preferences}" novalidate>
<label><input type="checkbox" name="emailNotifications"${v.emailNotifications === 'on' ? html` checked` : ''}> Email me about new bookings</label>
${field({ name: 'reminderMinutes', label: 'Remind me before a meeting (minutes)', type: 'number', value: v.reminderMinutes, error: e.reminderMinutes, attributes: { min: '5', max: '1440' } })}
${select({ name: 'theme', label: 'Theme', value: v.theme, error: e.theme, options: ['light', 'dark', 'system'].map((t) => ({ value: t, label: t })) })}
${select({
  name: 'language',
  label: 'Language',
  value: v.language,
  error: e.language,
  options: [
    { value: 'en', label: 'English' },
    { value: 'es', label: 'Español' },
    { value: 'pt', label: 'Português' },
  ],
})}
<button type="submit">Save preferences</button>
</form></section>`;
}

export function dashboardPage(
  context: PageContext & {
    dashboard: ExpertDashboard;
    stepError?: string | undefined;
    preferenceErrors?: FormErrors | undefined;
    preferenceValues?: Record<string, string> | undefined;
    saved?: boolean | undefined;
  },
): string {
  const d = context.dashboard;
  return layout(
    'Your dashboard',
    html`${setupSection(d, context.stepError)}
${preferencesSection(d.preferences, context.preferenceErrors, context.preferenceValues, context.saved)}`,
    context,
  );
}

export function adminPage(context: PageContext & { overview: AdminOverview }): string {
  const { stats, events } = context.overview;
  return layout(
    'Clinic administration',
    html`<section aria-labelledby="stats-title"><h2 id="stats-title">Expert setup</h2>
<dl><dt>Experts</dt><dd id="stat-total">${stats.total}</dd><dt>Setup complete</dt><dd id="stat-complete">${stats.complete}</dd>
<dt>Incomplete</dt><dd>${stats.incomplete}</dd><dt>Completion rate</dt><dd>${Math.round(stats.completionRate)}%</dd></dl></section>
<section aria-labelledby="audit-title"><h2 id="audit-title">Audit trail</h2>
<p class="hint">This organization's events, newest first, from <code>orgkit.queryAuditEvents</code>
(hash-chained; <code>npx orgkit audit verify</code> checks them).</p>
<div role="region" aria-labelledby="audit-title" tabindex="0" style="overflow-x:auto">
<table><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th>
<th scope="col">Resource</th><th scope="col">IP</th><th scope="col">User agent</th></tr></thead>
<tbody>${events.map(
      (
        ev,
      ) => html`<tr><td>${ev.seq}</td><td>${ev.occurredAt.toISOString().slice(0, 19).replace('T', ' ')}</td><td>${ev.action}</td>
<td>${ev.actor === null ? '' : 'userId' in ev.actor ? ev.actor.userId : `system: ${ev.actor.system}`}</td>
<td>${ev.resourceType} ${ev.resourceId}</td><td>${ev.ipAddress}</td><td class="ua">${ev.userAgent}</td></tr>`,
    )}</tbody></table></div></section>`,
    context,
  );
}
