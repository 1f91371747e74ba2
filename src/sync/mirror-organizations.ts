import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { DeletedData, OrganizationData } from './mirror-event.js';
import { deleteWithMemberships } from './mirror-memberships.js';
import { type ChangeOutcome, NOT_APPLIED, newerOrChanged } from './row-guard.js';
import { isTombstoned } from './tombstones.js';

/** Inserts or updates a mirrored organization, unless it was deleted since. @internal */
export async function upsertOrganization(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  org: OrganizationData,
): Promise<ChangeOutcome> {
  const deleted = { kind: 'organization' as const, workosId: org.id, notBefore: org.updatedAt };
  if (await isTombstoned(tx, tables, [deleted])) return NOT_APPLIED;
  const t = tables.organizations;
  const fields = { name: org.name, externalId: org.externalId, workosUpdatedAt: org.updatedAt };
  const rows = await tx
    .insert(t)
    .values({ workosOrgId: org.id, ...fields })
    .onConflictDoUpdate({
      target: t.workosOrgId,
      set: { ...fields, updatedAt: sql`now()` },
      setWhere: newerOrChanged(t.workosUpdatedAt, [t.name, t.externalId]),
    })
    .returning({ id: t.id });
  // Organization fields do not feed role resolution, so no user's cache goes stale.
  return rows.length ? { applied: true, userIds: [] } : NOT_APPLIED;
}

/**
 * Deletes a mirrored organization unless the row is newer, and every membership in it, so nobody
 * keeps a role in an organization that is gone.
 * @internal
 */
export async function deleteOrganization(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  org: DeletedData,
): Promise<ChangeOutcome> {
  const t = tables.organizations;
  const owner = {
    table: t,
    key: t.workosOrgId,
    workosUpdatedAt: t.workosUpdatedAt,
    kind: 'organization' as const,
    membershipKey: tables.userOrgMemberships.workosOrgId,
  };
  const { applied, memberUserIds, memberships } = await deleteWithMemberships(
    tx,
    tables,
    owner,
    org,
  );
  return applied ? { applied, userIds: memberUserIds, memberships } : NOT_APPLIED;
}
