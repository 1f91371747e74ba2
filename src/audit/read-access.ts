import type { RequestScope } from '../context/index.js';
import { OrgkitError } from '../errors/index.js';

/** Who may read the audit log inside a request. @internal */
export interface AuditReadPolicy {
  readPermission: string;
  hasPermission(
    userId: string,
    permission: string,
    organizationId: string | null,
  ): Promise<boolean>;
}

/**
 * Inside a request, reading the log takes the read permission in the organization read (the
 * session's by default); outside one (jobs, the CLI) the caller is trusted and `undefined` is
 * returned. Returns the reader, whose read is then recorded as `audit.read`.
 * @internal
 */
export async function authorizeAuditRead(
  scope: RequestScope | undefined,
  policy: AuditReadPolicy,
  organizationId: string | null | undefined,
  what: string,
): Promise<{ userId: string; organizationId: string } | undefined> {
  if (!scope) return undefined;
  const session = scope.session;
  if (!session) {
    throw new OrgkitError('unauthenticated', `${what}: no authenticated session in this request`, {
      reason: 'no_session',
    });
  }
  const organization =
    organizationId === undefined ? (session.organizationId ?? null) : organizationId;
  const allowed =
    organization !== null &&
    (await policy.hasPermission(session.userId, policy.readPermission, organization));
  if (!allowed) {
    throw new OrgkitError(
      'forbidden',
      `${what}: requires the "${policy.readPermission}" permission in ${organization === null ? 'an organization' : `organization ${organization}`}`,
      { reason: 'missing_permission', details: { missing: [policy.readPermission] } },
    );
  }
  return { userId: session.userId, organizationId: organization };
}
