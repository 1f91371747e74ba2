import { eq, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';
import { grantChanged, type MembershipChange } from './membership-audit.js';
import type { DeletedData, MembershipData } from './mirror-event.js';
import { type ChangeOutcome, deleteUnlessNewer, NOT_APPLIED, newerOrChanged } from './row-guard.js';
import { isTombstoned, recordTombstone } from './tombstones.js';

type MembershipTable = OrgkitTables['userOrgMemberships'];

/** The membership columns an audit event reads. @internal */
const grantColumns = (t: MembershipTable) => ({
  id: t.workosMembershipId,
  userId: t.workosUserId,
  organizationId: t.workosOrgId,
  role: t.role,
  roles: t.roles,
  status: t.status,
});

// A row inserted, then deleted, by others between our read and our insert sends us round again;
// three rounds in a row mean something keeps fighting over it.
const MAX_ROUNDS = 3;

/**
 * Inserts or updates a mirrored organization membership, unless it, its user or its organization
 * was deleted since: a late event must not give back a role that is gone. Runs inside the
 * caller's transaction: the row is read locked first, so the grant it replaces is the one an
 * audit event reports, and an insert that loses a race reads the winner's row instead.
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
  const ids = {
    id: membership.id,
    userId: membership.userId,
    organizationId: membership.organizationId,
  };
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const [before] = await tx
      .select(grantColumns(t))
      .from(t)
      .where(eq(t.workosMembershipId, membership.id))
      .for('update');
    if (before) {
      // The row is ours until commit, so this takes the update path, behind the usual guard.
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
      if (!rows.length) return NOT_APPLIED;
      const memberships: MembershipChange[] = grantChanged(before, membership)
        ? [{ action: 'membership.updated', ...ids, before, after: membership }]
        : [];
      return {
        applied: true,
        userIds: [...new Set([before.userId, membership.userId])],
        memberships,
      };
    }
    const inserted = await tx
      .insert(t)
      .values({ workosMembershipId: membership.id, ...fields })
      .onConflictDoNothing({ target: t.workosMembershipId })
      .returning({ id: t.id });
    if (inserted.length) {
      return {
        applied: true,
        userIds: [membership.userId],
        memberships: [{ action: 'membership.created', ...ids, after: membership }],
      };
    }
  }
  throw new OrgkitError(
    'conflict',
    `membership ${membership.id} kept changing while it was mirrored`,
    {
      reason: 'mirror_contention',
    },
  );
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
    grantColumns(t),
  );
  if (row === 'newer') return NOT_APPLIED;
  await recordTombstone(tx, tables, 'membership', id, updatedAt);
  if (row !== 'deleted') return NOT_APPLIED;
  return {
    applied: true,
    userIds: removed.map((r) => r.userId),
    memberships: removed.map((r) => ({ action: 'membership.deleted', ...r, before: r })),
  };
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
 * Returns the users whose memberships went, and those memberships.
 * @internal
 */
export async function deleteWithMemberships(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  owner: MembershipOwner,
  data: DeletedData,
): Promise<{ applied: boolean; memberUserIds: string[]; memberships: MembershipChange[] }> {
  const { table, key, workosUpdatedAt, kind, membershipKey } = owner;
  const { row } = await deleteUnlessNewer(
    tx,
    table,
    key,
    workosUpdatedAt,
    data.id,
    data.updatedAt,
    {
      id: key,
    },
  );
  if (row === 'newer') return { applied: false, memberUserIds: [], memberships: [] };
  await recordTombstone(tx, tables, kind, data.id, data.updatedAt);
  const m = tables.userOrgMemberships;
  const removed = await tx.delete(m).where(eq(membershipKey, data.id)).returning(grantColumns(m));
  const memberUserIds = [...new Set(removed.map((r) => r.userId))];
  const cause = `${kind}.deleted`;
  return {
    applied: row === 'deleted' || memberUserIds.length > 0,
    memberUserIds,
    memberships: removed.map((r) => ({ action: 'membership.deleted', ...r, cause, before: r })),
  };
}
