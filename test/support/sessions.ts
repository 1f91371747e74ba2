import type { Session } from '../../src/session/types.js';

/** A verified session as the session module produces it, for putting in a request scope. */
export function sessionFor(
  userId: string,
  claims: {
    organizationId?: string;
    role?: string;
    roles?: string[];
    permissions?: string[];
  } = {},
): Session {
  const roles = claims.roles ?? (claims.role ? [claims.role] : []);
  return {
    userId,
    sessionId: 'session_01TEST',
    organizationId: claims.organizationId,
    role: claims.role,
    roles,
    permissions: claims.permissions ?? [],
    entitlements: [],
    featureFlags: [],
    impersonator: undefined,
    expiresAt: Math.floor(Date.now() / 1000) + 300,
    claims: { sub: userId },
  };
}

/** What a job or script passes to act on a user outside a request scope. */
export const JOB = { actor: { system: 'test-job' } } as const;
