import { createHash } from 'node:crypto';
import type { OrganizationMappingRow, RoleMappingRow } from '../input/mapping-files.js';

/** The organizations and role slugs of one Clerk user from the mapping files. @internal */
export interface UserMapping {
  readonly organizations: readonly { externalId: string; name: string }[];
  readonly roleSlugs: readonly string[];
}

/** The mapping rows by Clerk user, and their hash for the manifest. @internal */
export interface MappingPlan {
  forUser(clerkUserId: string): UserMapping;
  readonly hash: string | null;
}

/** @internal */
export function planMappings(
  organizationRows: readonly OrganizationMappingRow[] = [],
  roleRows: readonly RoleMappingRow[] = [],
): MappingPlan {
  const organizations = new Map<string, { externalId: string; name: string }[]>();
  for (const row of organizationRows) {
    const list = organizations.get(row.clerkUserId) ?? [];
    list.push({ externalId: row.orgExternalId, name: row.orgName });
    organizations.set(row.clerkUserId, list);
  }
  const roles = new Map<string, string[]>();
  for (const row of roleRows) {
    roles.set(row.clerkUserId, [...(roles.get(row.clerkUserId) ?? []), row.roleSlug]);
  }
  const hash =
    organizationRows.length + roleRows.length === 0
      ? null
      : createHash('sha256')
          .update(
            JSON.stringify([
              organizationRows.map((r) => [r.clerkUserId, r.orgExternalId, r.orgName]),
              roleRows.map((r) => [r.clerkUserId, r.roleSlug]),
            ]),
          )
          .digest('hex');
  return {
    forUser: (clerkUserId) => ({
      organizations: organizations.get(clerkUserId) ?? [],
      roleSlugs: roles.get(clerkUserId) ?? [],
    }),
    hash,
  };
}
