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

/** Where a role comes from: `users.role` (`app`) or a membership or token (`org`). */
export type RoleKind = 'app' | 'org';

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
  /**
   * Permissions a role grants. With `kind`, only that kind's grants: the seed's `admin` is both an
   * app role and an organization role, and an organization admin must not get the app admin's
   * permissions. Without `kind`, the union of both.
   */
  permissionsOf(role: string, kind?: RoleKind): ReadonlySet<P>;
  isRole(name: string): name is A | O;
  isAppRole(name: string): name is A;
  isPermission(name: string): name is P;
}

/** Every role name of an access model (app and organization roles). */
export type RoleOf<AC> = AC extends AccessControl<string, infer A, infer O> ? A | O : never;
/** Every permission name of an access model. */
export type PermissionOf<AC> = AC extends AccessControl<infer P, string, string> ? P : never;
/** The app roles of an access model. */
export type AppRoleOf<AC> = AC extends AccessControl<string, infer A, string> ? A : never;
/** The organization roles of an access model. */
export type OrgRoleOf<AC> = AC extends AccessControl<string, string, infer O> ? O : never;

const ROLE_NAME = /^[A-Za-z0-9_:.-]+$/;

function grantTable<P extends string>(
  kind: string,
  roles: Record<string, readonly P[]>,
  known: ReadonlySet<string>,
): Map<string, ReadonlySet<P>> {
  const table = new Map<string, ReadonlySet<P>>();
  for (const [role, granted] of Object.entries(roles)) {
    if (!ROLE_NAME.test(role)) {
      throw new OrgkitError(
        'invalid_config',
        `${kind}.${role}: role names use letters, digits, _ : . -`,
      );
    }
    for (const permission of granted) {
      if (!known.has(permission)) {
        throw new OrgkitError(
          'invalid_config',
          `${kind}.${role}: "${permission}" is not in permissions`,
        );
      }
    }
    table.set(role, new Set(granted));
  }
  return table;
}

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
  const known: ReadonlySet<string> = new Set(permissions);
  const app = grantTable<P>('appRoles', definition.appRoles, known);
  const org = grantTable<P>('orgRoles', definition.orgRoles, known);
  const either = new Map<string, ReadonlySet<P>>(app);
  for (const [role, granted] of org) {
    either.set(role, new Set([...(app.get(role) ?? []), ...granted]));
  }
  const appRoles = [...app.keys()] as A[];
  const defaultRole = (definition.defaultRole ?? 'user') as A;
  if (!app.has(defaultRole)) {
    throw new OrgkitError('invalid_config', `defaultRole: "${defaultRole}" is not in appRoles`);
  }
  const empty: ReadonlySet<P> = new Set();
  const tables = { app, org } as const;
  return Object.freeze({
    permissions,
    appRoles,
    orgRoles: [...org.keys()] as O[],
    defaultRole,
    permissionsOf: (role: string, kind?: RoleKind) =>
      (kind ? tables[kind] : either).get(role) ?? empty,
    isRole: (name: string): name is A | O => either.has(name),
    isAppRole: (name: string): name is A => app.has(name),
    isPermission: (name: string): name is P => known.has(name),
  });
}
