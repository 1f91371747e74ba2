import { OrgkitError } from '../errors/index.js';

/** The statement an app writes once: its permissions, and which roles grant which. */
export interface AccessControlDefinition<P extends string, A extends string, O extends string> {
  /** Every permission the app checks, e.g. `'meetings:read'`. */
  permissions: readonly P[];
  /** Application roles, stored in `users.role`, and the permissions each grants. */
  appRoles: { readonly [R in A]: readonly NoInfer<P>[] };
  /** Organization roles, from WorkOS memberships and tokens, and the permissions each grants. */
  orgRoles: { readonly [R in O]: readonly NoInfer<P>[] };
  /** The app role of a user with no row and no membership (seed 3.2). @default 'user' */
  defaultRole?: NoInfer<A>;
}

/** A checked access model, made by {@link defineAccessControl}. */
export interface AccessControl<
  P extends string = string,
  A extends string = string,
  O extends string = string,
> {
  readonly permissions: readonly P[];
  readonly appRoles: readonly A[];
  readonly orgRoles: readonly O[];
  readonly defaultRole: A;
  /** Permissions a role grants. A name used both as app and org role grants the union. */
  permissionsOf(role: string): ReadonlySet<P>;
  isRole(name: string): name is A | O;
  isPermission(name: string): name is P;
}

/** Every role name of an access model (app and organization roles). */
export type RoleOf<AC> = AC extends AccessControl<string, infer A, infer O> ? A | O : never;
/** Every permission name of an access model. */
export type PermissionOf<AC> = AC extends AccessControl<infer P, string, string> ? P : never;
/** The app roles of an access model. */
export type AppRoleOf<AC> = AC extends AccessControl<string, infer A, string> ? A : never;

/**
 * Declares the app's roles and permissions. Names are inferred `as const`, so a misspelled
 * role or permission anywhere orgkit takes one fails to type-check.
 *
 * @example
 * ```ts
 * const ac = defineAccessControl({
 *   permissions: ['meetings:read', 'meetings:write'],
 *   appRoles: { user: ['meetings:read'], admin: ['meetings:read', 'meetings:write'] },
 *   orgRoles: { owner: ['meetings:write'], member: [] },
 * })
 * ```
 */
export function defineAccessControl<
  const P extends string,
  const A extends string,
  const O extends string,
>(definition: AccessControlDefinition<P, A, O>): AccessControl<P, A, O> {
  const permissions = [...new Set(definition.permissions)];
  const known = new Set<string>(permissions);
  const grants = new Map<string, Set<P>>();
  const addRole = (kind: string, role: string, granted: readonly P[]) => {
    if (!/^[A-Za-z0-9_:.-]+$/.test(role)) {
      throw new OrgkitError(
        'invalid_config',
        `${kind}.${role}: role names use letters, digits, _ : . -`,
      );
    }
    const set = grants.get(role) ?? new Set<P>();
    for (const permission of granted) {
      if (!known.has(permission)) {
        throw new OrgkitError(
          'invalid_config',
          `${kind}.${role}: "${permission}" is not in permissions`,
        );
      }
      set.add(permission);
    }
    grants.set(role, set);
  };
  for (const [role, granted] of Object.entries(definition.appRoles) as [A, readonly P[]][]) {
    addRole('appRoles', role, granted);
  }
  for (const [role, granted] of Object.entries(definition.orgRoles) as [O, readonly P[]][]) {
    addRole('orgRoles', role, granted);
  }
  const appRoles = Object.keys(definition.appRoles) as A[];
  const defaultRole = (definition.defaultRole ?? 'user') as A;
  if (!appRoles.includes(defaultRole)) {
    throw new OrgkitError('invalid_config', `defaultRole: "${defaultRole}" is not in appRoles`);
  }
  const empty: ReadonlySet<P> = new Set();
  return Object.freeze({
    permissions,
    appRoles,
    orgRoles: Object.keys(definition.orgRoles) as O[],
    defaultRole,
    permissionsOf: (role: string) => grants.get(role) ?? empty,
    isRole: (name: string): name is A | O => grants.has(name),
    isPermission: (name: string): name is P => known.has(name),
  });
}
