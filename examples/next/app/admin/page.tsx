import { signedIn } from '../../lib/request';

export const dynamic = 'force-dynamic';

/**
 * Setup statistics and the organization's audit trail. Needs the app role admin's
 * `experts:manage`: a guest owns a personal organization, so `audit:read` alone would let one in.
 */
export default async function Admin() {
  const { clinic, run } = await signedIn({ requiredPermission: 'experts:manage' });
  const { stats, events } = await run(() => clinic.admin.load());
  return (
    <>
      <h1>Clinic administration</h1>
      <section aria-labelledby="stats-title">
        <h2 id="stats-title">Expert setup</h2>
        <dl>
          <dt>Experts</dt>
          <dd id="stat-total">{stats.total}</dd>
          <dt>Setup complete</dt>
          <dd id="stat-complete">{stats.complete}</dd>
          <dt>Incomplete</dt>
          <dd id="stat-incomplete">{stats.incomplete}</dd>
          <dt>Completion rate</dt>
          <dd>{Math.round(stats.completionRate)}%</dd>
        </dl>
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Audit trail</h2>
        <p className="hint">
          This organization&apos;s events, newest first, from <code>orgkit.queryAuditEvents</code>{' '}
          (hash-chained; <code>npx orgkit audit verify</code> checks them).
        </p>
        <table id="audit-trail">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Actor</th>
              <th scope="col">Resource</th>
              <th scope="col">IP</th>
              <th scope="col">User agent</th>
            </tr>
          </thead>
          <tbody>
            {events.map((ev) => (
              <tr key={String(ev.seq)} data-action={ev.action}>
                <td>{String(ev.seq)}</td>
                <td>{ev.occurredAt.toISOString()}</td>
                <td>{ev.action}</td>
                <td>
                  {ev.actor === null
                    ? ''
                    : 'userId' in ev.actor
                      ? ev.actor.userId
                      : `system: ${ev.actor.system}`}
                </td>
                <td>
                  {ev.resourceType} {ev.resourceId}
                </td>
                <td>{ev.ipAddress}</td>
                <td>{ev.userAgent?.slice(0, 40)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
