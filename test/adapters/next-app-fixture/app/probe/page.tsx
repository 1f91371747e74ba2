import { getFixture } from '../../lib/auth';

export const dynamic = 'force-dynamic';

/**
 * Writes an audit event inside `withAuth`'s `run` and shows where the event says it came from:
 * the scope `run` opens must carry the request's IP and user agent, not only the session.
 */
export default async function Probe() {
  const { auth, orgkit } = await getFixture();
  const { run, session } = await auth.withAuth();
  const requestId = crypto.randomUUID();
  await run(() =>
    orgkit.logAuditEvent('probe.rendered', 'probe', requestId, null, null, {
      organizationId: session.organizationId ?? null,
    }),
  );
  // Read back outside the scope: the fixture's users hold no audit-read permission.
  const { events } = await orgkit.queryAuditEvents({
    organizationId: session.organizationId ?? null,
    resourceId: requestId,
  } as never);
  const event = events[0];
  const report = {
    actor: event?.actor,
    ipAddress: event?.ipAddress,
    userAgent: event?.userAgent,
    scopeUserId: run(() => orgkit.requireAuth().userId),
  };
  return <pre id="probe">{JSON.stringify(report)}</pre>;
}
