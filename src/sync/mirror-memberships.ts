import { eq, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { DeletedData, MembershipData } from './mirror-event.js';
import { type ChangeOutcome, deleteUnlessNewer, NOT_APPLIED, newerOrChanged } from './row-guard.js';
import { isTombstoned, recordTombstone } from './tombstones.js';

/**
 * Inserts or updates a mirrored organization membership, unless it, its user or its organization
 * was deleted since: a late event must not give back a role that is gone.
 * @internal
 */
export async function upsertMembership(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  membership: MembershipData,
): Promise<ChangeOutcome> {
  const gone = await isTombstoned(tx, tables, [
    { kind: 'membership', workosId: membership.id, notBefore: membership.updatedAt },
    { kind: 'user', workosId: membership.userId },
    { kind: 'organization', workosId: membership.organizationId },
  ]);
  if (gone) return NOT_APPLIED;
  const t = tables.userOrgMemberships;
  const fields = {
    workosUserId: membership.userId,
    workosOrgId: membership.organizationId,
    role: membership.role,
    roles: membership.roles,
    status: membership.status,
    workosUpdatedAt: membership.updatedAt,
  };
  const rows = await tx
    .insert(t)
    .values({ workosMembershipId: membership.id, ...fields })
    .onConflictDoUpdate({
      target: t.workosMembershipId,
      set: { ...fields, updatedAt: sql`now()` },
      setWhere: newerOrChanged(t.workosUpdatedAt, [
        t.workosUserId,
        t.workosOrgId,
        t.role,
        t.roles,
        t.status,
      ]),
    })
    .returning({ id: t.id });
  return rows.length ? { applied: true, userIds: [membership.userId] } : NOT_APPLIED;
}

/**
 * Deletes a mirrored membership unless the row is newer than the event, and remembers the
 * deletion (also of a membership the mirror never had) so a late event cannot revive it.
 * @internal
 */
export async function deleteMembership(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  membership: DeletedData,
): Promise<ChangeOutcome> {
  const t = tables.userOrgMemberships;
  const { id, updatedAt } = membership;
  const { row, removed } = await deleteUnlessNewer(
    tx,
    t,
    t.workosMembershipId,
    t.workosUpdatedAt,
    id,
    updatedAt,
    t.workosUserId,
  );
  if (row === 'newer') return NOT_APPLIED;
  await recordTombstone(tx, tables, 'membership', id, updatedAt);
  return row === 'deleted' ? { applied: true, userIds: removed } : NOT_APPLIED;
}

/** The mirrored object that memberships hang off: a user or an organization. @internal */
export interface MembershipOwner {
  table: PgTable;
  key: PgColumn;
  workosUpdatedAt: PgColumn;
  kind: 'user' | 'organization';
  /** The membership column holding the owner's id. */
  membershipKey: PgColumn;
}

/**
 * Deletes a mirrored user or organization unless the row is newer than the event, and with it
 * every membership it has: WorkOS deletes those too, whether or not their own events arrive.
 * Returns the users whose memberships went.
 * @internal
 */
export async function deleteWithMemberships(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  owner: MembershipOwner,
  data: DeletedData,
): Promise<{ applied: boolean; memberUserIds: string[] }> {
  const { table, key, workosUpdatedAt, kind, membershipKey } = owner;
  const { row } = await deleteUnlessNewer(tx, table, key, workosUpdatedAt, data.id, data.updatedAt);
  if (row === 'newer') return { applied: false, memberUserIds: [] };
  await recordTombstone(tx, tables, kind, data.id, data.updatedAt);
  const m = tables.userOrgMemberships;
  const removed = await tx
    .delete(m)
    .where(eq(membershipKey, data.id))
    .returning({ userId: m.workosUserId });
  const memberUserIds = [...new Set(removed.map((r) => r.userId))];
  return { applied: row === 'deleted' || memberUserIds.length > 0, memberUserIds };
}
