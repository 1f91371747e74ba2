import { isOrgkitError, type OrgkitError } from '../../src/errors/index.js';
import type { Session } from '../../src/session/index.js';

/**
 * A verified session for `userId`, as an adapter puts in the request scope. Same signature as
 * test/roles/support.ts's, so both can move to one shared helper.
 */
export function sessionFor(userId: string, claims: { organizationId?: string } = {}): Session {
  return {
    userId,
    sessionId: `session_${userId}`,
    organizationId: claims.organizationId,
    role: undefined,
    roles: [],
    permissions: [],
    entitlements: [],
    featureFlags: [],
    impersonator: undefined,
    expiresAt: Math.floor(Date.now() / 1000) + 300,
    claims: { sub: userId },
  };
}

/** The OrgkitError `promise` rejects with; fails the test on success or on any other error. */
export async function rejection(promise: Promise<unknown>): Promise<OrgkitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isOrgkitError(error)) throw new Error(`expected an OrgkitError, got ${String(error)}`);
  return error;
}
