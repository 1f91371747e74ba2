import { OrgkitError } from '../errors/index.js';
import type { Access, AccessControl, PermissionOf, RoleOf } from '../roles/index.js';
import type { OrgkitCore } from './orgkit-core.js';

/** What a route requires of the signed-in user. Every rule given must hold. */
export interface AccessRule<AC extends AccessControl = AccessControl> {
  /** This role (app role or organization role). */
  requiredRole?: RoleOf<AC> | undefined;
  /** At least one of these roles. */
  anyRole?: readonly RoleOf<AC>[] | undefined;
  /** This permission, or all of these, from any of the user's roles or the token. */
  requiredPermission?: PermissionOf<AC> | readonly PermissionOf<AC>[] | undefined;
}

/**
 * A compiled rule. Both run inside the request scope and ask about its user.
 * @internal
 */
export interface AccessCheck {
  /** Throws `forbidden` when the rule does not hold. */
  check(): Promise<void>;
  /**
   * The answer from cached roles without waiting: `true` when the rule holds, the `forbidden`
   * error when it does not, `undefined` when the roles are not cached (then use `check`).
   */
  checkNow(): true | OrgkitError | undefined;
}

function unknownName(kind: string, name: unknown): never {
  throw new OrgkitError(
    'invalid_config',
    `${kind}: ${JSON.stringify(name)} is not defined in the access control`,
  );
}

/**
 * Validates a rule against the app's access model once, when the route is declared (a role that
 * does not exist is a configuration error, not a 403 on every request), and returns its check.
 * @internal
 */
export function compileAccessRule<AC extends AccessControl>(
  orgkit: OrgkitCore<AC>,
  rule: AccessRule<AC>,
): AccessCheck | undefined {
  const ac = orgkit.accessControl;
  const { requiredRole, anyRole, requiredPermission } = rule;
  if (requiredRole !== undefined && !ac.isRole(requiredRole))
    unknownName('requiredRole', requiredRole);
  if (anyRole !== undefined) {
    if (!Array.isArray(anyRole) || anyRole.length === 0) unknownName('anyRole', anyRole);
    for (const role of anyRole) if (!ac.isRole(role)) unknownName('anyRole', role);
  }
  const permissions: PermissionOf<AC>[] =
    requiredPermission === undefined
      ? []
      : Array.isArray(requiredPermission)
        ? [...(requiredPermission as readonly PermissionOf<AC>[])]
        : [requiredPermission as PermissionOf<AC>];
  for (const p of permissions) if (!ac.isPermission(p)) unknownName('requiredPermission', p);
  if (requiredRole === undefined && anyRole === undefined && permissions.length === 0) {
    return undefined;
  }

  const missingRole = (held: ReadonlySet<string>) => {
    if (requiredRole !== undefined && !held.has(requiredRole)) {
      return new OrgkitError('forbidden', `this route requires the role "${requiredRole}"`, {
        reason: 'missing_role',
      });
    }
    if (anyRole !== undefined && !anyRole.some((role) => held.has(role))) {
      return new OrgkitError(
        'forbidden',
        `this route requires one of the roles ${anyRole.join(', ')}`,
        { reason: 'missing_role' },
      );
    }
    return undefined;
  };

  const refusal = (access: Access<AC>): OrgkitError | undefined => {
    const denied = missingRole(access.roles);
    if (denied || permissions.length === 0) return denied;
    const decision = access.checkPermissions(permissions);
    if (decision.allowed) return undefined;
    return new OrgkitError(
      'forbidden',
      `this route requires the permission ${decision.missing.join(', ')}`,
      { reason: 'missing_permission', details: { missing: decision.missing } },
    );
  };

  // One resolved principal, remembered across requests while the user's roles stand, answers
  // every rule of the route.
  return {
    async check() {
      const denied = refusal(await orgkit.getAccess());
      if (denied) throw denied;
    },
    checkNow() {
      const access = orgkit.peekAccess();
      return access && (refusal(access) ?? true);
    },
  };
}
