import { OrgkitError } from '../errors/index.js';
import type { AccessControl, PermissionOf, RoleOf } from '../roles/index.js';
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

/** Checks the current request scope's user; throws `forbidden`. @internal */
export type AccessCheck = () => Promise<void>;

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

  // One resolved principal, remembered across requests while the user's roles stand, answers
  // every rule of the route.
  return async () => {
    const access = await orgkit.getAccess();
    const denied = missingRole(access.roles);
    if (denied) throw denied;
    if (permissions.length === 0) return;
    const decision = access.checkPermissions(permissions);
    if (!decision.allowed) {
      throw new OrgkitError(
        'forbidden',
        `this route requires the permission ${decision.missing.join(', ')}`,
        { reason: 'missing_permission', details: { missing: decision.missing } },
      );
    }
  };
}
