import type { Session } from '../session/types.js';
import type { AccessControl } from './define-access-control.js';
import type { RoleRecord } from './role-query.js';

/** A user's roles for one look-up: the database's (cached) plus the session token's. @internal */
export interface ResolvedRoles {
  userId: string;
  organizationId: string | undefined;
  /** `users.role`; the default role when the user has no role at all; else `undefined`. */
  appRole: string | undefined;
  /** Every role, de-duplicated: the app role first, then membership roles, then the token's. */
  roles: Set<string>;
  /** The roles that grant organization permissions (membership and token roles). */
  orgRoles: Set<string>;
  /** The token's `permissions` claim, when the token counts. */
  tokenPermissions: readonly string[];
}

const NONE: readonly string[] = [];

/**
 * The scope's session if its token's roles count for this look-up: only when it is the same
 * user's, and with `organizationId` only when it is scoped to that organization.
 * @internal
 */
export function tokenThatCounts(
  session: Session | undefined,
  userId: string,
  organizationId: string | undefined,
): Session | undefined {
  return session?.userId === userId &&
    (organizationId === undefined || session.organizationId === organizationId)
    ? session
    : undefined;
}

/**
 * Combines the database record with the token that counts (see {@link tokenThatCounts}).
 * @internal
 */
export function resolveRoles(
  ac: AccessControl,
  record: RoleRecord,
  userId: string,
  token: Session | undefined,
  organizationId: string | undefined,
): ResolvedRoles {
  const roles = new Set<string>();
  const orgRoles = new Set<string>();
  if (record.appRole !== undefined) roles.add(record.appRole);
  for (const membership of record.memberships) {
    if (organizationId !== undefined && membership.organizationId !== organizationId) continue;
    for (const role of membership.roles) orgRoles.add(role);
  }
  if (token) {
    if (token.role !== undefined) orgRoles.add(token.role);
    for (const role of token.roles) orgRoles.add(role);
  }
  for (const role of orgRoles) roles.add(role);
  const appRole = roles.size === 0 ? ac.defaultRole : record.appRole;
  if (roles.size === 0) roles.add(ac.defaultRole);
  return {
    userId,
    organizationId,
    appRole,
    roles,
    orgRoles,
    tokenPermissions: token?.permissions ?? NONE,
  };
}
