import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { DeletedData, UserData } from './mirror-event.js';
import { deleteWithMemberships } from './mirror-memberships.js';
import { type ChangeOutcome, NOT_APPLIED, newerOrChanged } from './row-guard.js';
import { isTombstoned } from './tombstones.js';

/**
 * Inserts or updates a mirrored user, unless the user was deleted since; never touches `role`,
 * which is the app's.
 * @internal
 */
export async function upsertUser(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  user: UserData,
): Promise<ChangeOutcome> {
  if (
    await isTombstoned(tx, tables, [{ kind: 'user', workosId: user.id, notBefore: user.updatedAt }])
  )
    return NOT_APPLIED;
  const t = tables.users;
  const fields = {
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    workosUpdatedAt: user.updatedAt,
  };
  const rows = await tx
    .insert(t)
    .values({ workosUserId: user.id, ...fields })
    .onConflictDoUpdate({
      target: t.workosUserId,
      set: { ...fields, updatedAt: sql`now()` },
      setWhere: newerOrChanged(t.workosUpdatedAt, [t.email, t.firstName, t.lastName]),
    })
    .returning({ id: t.id });
  return rows.length ? { applied: true, userIds: [user.id] } : NOT_APPLIED;
}

/** Deletes a mirrored user, and the user's memberships, unless the row is newer. @internal */
export async function deleteUser(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  user: DeletedData,
): Promise<ChangeOutcome> {
  const t = tables.users;
  const owner = {
    table: t,
    key: t.workosUserId,
    workosUpdatedAt: t.workosUpdatedAt,
    kind: 'user' as const,
    membershipKey: tables.userOrgMemberships.workosUserId,
  };
  const { applied, memberships } = await deleteWithMemberships(tx, tables, owner, user);
  return applied ? { applied, userIds: [user.id], memberships } : NOT_APPLIED;
}
