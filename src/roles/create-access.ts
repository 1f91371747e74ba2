import { OrgkitError } from '../errors/index.js';
import type { AccessControl, PermissionOf, RoleOf } from './define-access-control.js';
import type { ResolvedRoles } from './resolve-roles.js';
import type { RoleInputs } from './role-inputs.js';
import type { Access, PermissionDecision, ResolvedRole } from './types.js';

function nonEmpty(list: readonly unknown[], what: string): void {
  if (!Array.isArray(list) || list.length === 0) {
    throw new OrgkitError('invalid_input', `${what}: expected a non-empty list`);
  }
}

// Every name of the model, with whether the principal holds it: a check, granted or denied, is one
// look-up, and a name not in the map is not a model name. Filled name by name rather than copied
// from a template map, which iterates entry arrays and costs about twice as much.
function answersFor(names: readonly string[], held: ReadonlySet<string>): Map<string, boolean> {
  const answers = new Map<string, boolean>();
  for (const name of names) answers.set(name, held.has(name));
  return answers;
}

/**
 * Makes the synchronous principals of one access model. A name the model does not know throws
 * instead of reading as "no".
 * @internal
 */
export function createAccessFactory<AC extends AccessControl>(
  ac: AC,
  input: RoleInputs<AC>,
): (resolved: ResolvedRoles) => Access<AC> {
  type P = PermissionOf<AC>;
  const roleNames = [...new Set([...ac.appRoles, ...ac.orgRoles])];

  return (resolved) => {
    const { roles, orgRoles, appRole } = resolved;
    const permissions = new Set<P>(
      appRole === undefined ? [] : (ac.permissionsOf(appRole, 'app') as ReadonlySet<P>),
    );
    for (const role of orgRoles) {
      for (const p of ac.permissionsOf(role, 'org')) permissions.add(p as P);
    }
    for (const p of resolved.tokenPermissions) {
      if (ac.isPermission(p)) permissions.add(p as P);
    }
    const granted = answersFor(ac.permissions, permissions);
    const held = answersFor(roleNames, roles);

    // Closures rather than prototype methods: `const { hasRole } = access` keeps working, and a
    // class measured no faster per check. zod runs only for a name the model does not know, to
    // throw the error naming it.
    const hasRole = (role: RoleOf<AC>): boolean => {
      const flag = held.get(role);
      if (flag === undefined) input.role(role, 'hasRole');
      return flag === true;
    };
    const hasPermission = (permission: P): boolean => {
      const flag = granted.get(permission);
      if (flag === undefined) input.permission(permission, 'hasPermission');
      return flag === true;
    };
    const checkPermissions = (wanted: readonly P[]): PermissionDecision<P> => {
      nonEmpty(wanted, 'checkPermissions');
      const missing = wanted.filter((p) => !hasPermission(p));
      return {
        allowed: missing.length === 0,
        reason: missing.length === 0 ? 'granted' : 'missing_permission',
        missing,
        roles: [...roles],
      };
    };

    return {
      userId: resolved.userId,
      organizationId: resolved.organizationId,
      appRole,
      roles: roles as ReadonlySet<ResolvedRole<AC>>,
      permissions,
      hasRole,
      hasAnyRole(wanted) {
        nonEmpty(wanted, 'hasAnyRole');
        let any = false;
        for (const role of wanted) any = hasRole(role) || any;
        return any;
      },
      hasPermission,
      hasAllPermissions(wanted) {
        nonEmpty(wanted, 'hasAllPermissions');
        let all = true;
        for (const permission of wanted) all = hasPermission(permission) && all;
        return all;
      },
      checkPermissions,
    };
  };
}
