import * as z from 'zod/mini';
import { parseInput } from '../errors/index.js';
import type { AccessControl, AppRoleOf, PermissionOf, RoleOf } from './define-access-control.js';
import type { RoleQueryOptions } from './types.js';

/** Validators of the roles API's arguments, built once per access model. @internal */
export interface RoleInputs<AC extends AccessControl> {
  userId(value: unknown, what: string): string;
  /** `what` names the method; the error names its `options`. */
  options(value: unknown, what: string): RoleQueryOptions;
  role(value: unknown, what: string): RoleOf<AC>;
  roles(value: unknown, what: string): RoleOf<AC>[];
  appRole(value: unknown, what: string): AppRoleOf<AC>;
  permission(value: unknown, what: string): PermissionOf<AC>;
  permissions(value: unknown, what: string): PermissionOf<AC>[];
}

const named = (kind: string, test: (name: string) => boolean) =>
  z
    .string()
    .check(z.refine(test, { error: (issue) => `unknown ${kind} ${JSON.stringify(issue.input)}` }));

const validator =
  <S extends z.ZodMiniType>(schema: S) =>
  (value: unknown, what: string): z.output<S> =>
    parseInput(schema, value, what);

const NO_OPTIONS: RoleQueryOptions = Object.freeze({});

/** @internal */
export function createRoleInputs<AC extends AccessControl>(ac: AC): RoleInputs<AC> {
  const role = named('role', (n) => ac.isRole(n));
  const permission = named('permission', (n) => ac.isPermission(n));
  const options = validator(
    z._default(
      z.optional(z.strictObject({ organizationId: z.optional(z.string().check(z.minLength(1))) })),
      {},
    ),
  );
  // An empty list is almost always a bug at the call site, and "all of none" would allow.
  return {
    userId: validator(z.string().check(z.minLength(1, 'expected a non-empty user id'))),
    // Left out on almost every call: what zod would answer for `undefined`, without asking it.
    options: (value, what) =>
      value === undefined ? NO_OPTIONS : options(value, `${what}: options`),
    role: validator(role) as RoleInputs<AC>['role'],
    roles: validator(z.array(role).check(z.minLength(1))) as RoleInputs<AC>['roles'],
    appRole: validator(named('app role', (n) => ac.isAppRole(n))) as RoleInputs<AC>['appRole'],
    permission: validator(permission) as RoleInputs<AC>['permission'],
    permissions: validator(
      z.array(permission).check(z.minLength(1)),
    ) as RoleInputs<AC>['permissions'],
  };
}
