import { isOrgkitError, OrgkitError } from '../../errors/index.js';
import { type CallContext, callWorkOS, statusOf } from '../../workos-calls/call.js';
import { readClerkExport } from '../input/read-export.js';
import type { MigrationLimiter } from './logged-step.js';
import type { MappingPlan } from './mapping-plan.js';
import type { OrganizationMode } from './options.js';
import { environmentRoleSlugs, type MigrationWorkOS } from './workos-api.js';

/** What decides the role slugs a run assigns. @internal */
export interface RoleNeeds {
  readonly organizations: OrganizationMode;
  readonly mappings: MappingPlan;
  readonly ownerRole: string;
  readonly memberRole: string;
}

/** The role slugs one user's memberships get under the run's mode. @internal */
export function rolesOfUser(needs: RoleNeeds, clerkUserId: string): string[] {
  if (needs.organizations === 'none') return [];
  const mapping = needs.mappings.forUser(clerkUserId);
  if (mapping.organizations.length === 0) {
    return needs.organizations === 'personal' ? [needs.ownerRole] : [];
  }
  return mapping.roleSlugs.length > 0 ? [...mapping.roleSlugs] : [needs.memberRole];
}

/** Every role slug the run's accepted records will be given, read from the input. @internal */
export async function rolesToAssign(
  needs: RoleNeeds,
  input: { path: string; format?: 'csv' | 'json' },
  only: ReadonlySet<string> | undefined,
): Promise<Set<string>> {
  const roles = new Set<string>();
  for await (const entry of readClerkExport(input)) {
    if (!entry.ok || (only && !only.has(entry.record.clerkUserId))) continue;
    for (const slug of rolesOfUser(needs, entry.record.clerkUserId)) roles.add(slug);
  }
  return roles;
}

/** The HTTP status of a failed call, through orgkit's wrapping of the SDK's exception. */
const statusFrom = (error: unknown): number | undefined => {
  const status = isOrgkitError(error) ? error.details?.status : statusOf(error);
  return typeof status === 'number' ? status : undefined;
};

type Authorization = { [method: string]: any } | undefined;
const authorizationOf = (workos: MigrationWorkOS) =>
  (workos as { authorization?: Authorization }).authorization;

/**
 * The roles the run needs that WorkOS lacks, sorted; undefined when this SDK major or
 * environment cannot list roles (`authorization.listEnvironmentRoles`). @internal
 */
export async function missingRoles(
  call: CallContext,
  workos: MigrationWorkOS,
  needed: ReadonlySet<string>,
): Promise<string[] | undefined> {
  if (needed.size === 0) return [];
  let known: Set<string> | undefined;
  try {
    known = await callWorkOS(call, 'migration: roles', () => environmentRoleSlugs(workos));
  } catch (error) {
    // A key without access to roles (or an environment without the API) cannot check them;
    // the run goes on as it did before there was a check.
    if ([403, 404].includes(statusFrom(error) ?? 0)) return undefined;
    throw error;
  }
  return known && [...needed].filter((slug) => !known.has(slug)).sort();
}

/**
 * Before any other write: creates the missing roles when `create` is set (through the SDK's
 * `authorization.createEnvironmentRole`), else stops the run with `invalid_config` naming them.
 * Resolves the roles it created. @internal
 */
export async function ensureRoles(
  call: CallContext,
  workos: MigrationWorkOS,
  limiter: MigrationLimiter,
  missing: readonly string[],
  create: boolean,
): Promise<string[]> {
  if (missing.length === 0) return [];
  const names = missing.join(', ');
  if (!create) {
    throw new OrgkitError(
      'invalid_config',
      `migration: the WorkOS environment has no role ${names}; create them in the WorkOS dashboard (Roles) or run with --create-roles`,
      { reason: 'missing_roles', details: { roles: [...missing] } },
    );
  }
  const authorization = authorizationOf(workos);
  if (typeof authorization?.createEnvironmentRole !== 'function') {
    throw new OrgkitError(
      'invalid_config',
      `migration: this @workos-inc/node version cannot create roles (no authorization.createEnvironmentRole); create ${names} in the WorkOS dashboard (Roles)`,
      { reason: 'missing_roles', details: { roles: [...missing] } },
    );
  }
  for (const slug of missing) {
    try {
      await callWorkOS(call, 'migration: role', () =>
        limiter.run(() => authorization.createEnvironmentRole({ slug, name: slug })),
      );
    } catch (error) {
      // A retried create whose first answer was lost is refused as a duplicate: look it up.
      const known = await callWorkOS(call, 'migration: roles', () => environmentRoleSlugs(workos));
      if (!known?.has(slug)) throw error;
    }
  }
  return [...missing];
}
