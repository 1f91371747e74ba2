import { and, type Column, eq, lte, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { OrgkitDatabase } from '../db/database.js';
import type { MembershipChange } from './membership-audit.js';
import type { RevocationMark } from './revocation-marks.js';

/** `excluded.<column>`: the value an `INSERT … ON CONFLICT` tried to write. @internal */
export function excluded(column: Column): SQL {
  return sql`excluded.${sql.identifier(column.name)}`;
}

/**
 * The `ON CONFLICT DO UPDATE … WHERE` guard of every mirror upsert: the incoming WorkOS object is
 * newer than the row, or as new and different. An older event never overwrites a newer row, and a
 * duplicate delivery writes nothing (so `RETURNING` tells an applied change from a no-op).
 * @internal
 */
export function newerOrChanged(workosUpdatedAt: Column, mirrored: Column[]): SQL {
  const current = sql.join(mirrored, sql`, `);
  const incoming = sql.join(mirrored.map(excluded), sql`, `);
  const at = excluded(workosUpdatedAt);
  return sql`(${at} > ${workosUpdatedAt} or (${at} = ${workosUpdatedAt} and (${current}) is distinct from (${incoming})))`;
}

/** What applying one change did. @internal */
export interface ChangeOutcome {
  applied: boolean;
  /** Users whose user row or memberships changed: their cached roles are stale. */
  userIds: string[];
  /** Memberships whose grant appeared, changed or went: each is an audit event. */
  memberships?: MembershipChange[];
  /** What of the users' older access tokens stops counting (see revocation-marks.ts). */
  revocations?: RevocationMark[];
}

export const NOT_APPLIED: ChangeOutcome = { applied: false, userIds: [] };

/**
 * Deletes the row keyed `id` unless it is newer than `at` (a delete event never removes a row a
 * later event wrote). Tells whether it deleted, kept a newer row, or found none, and what the
 * deleted row held in the `returning` columns.
 * @internal
 */
export async function deleteUnlessNewer<R extends Record<string, PgColumn>>(
  tx: OrgkitDatabase,
  table: PgTable,
  key: PgColumn,
  workosUpdatedAt: PgColumn,
  id: string,
  at: Date,
  returning: R,
): Promise<{
  row: 'deleted' | 'newer' | 'absent';
  removed: { [K in keyof R]: R[K]['_']['data'] }[];
}> {
  const removed = (await tx
    .delete(table)
    .where(and(eq(key, id), lte(workosUpdatedAt, at)))
    .returning(returning)) as { [K in keyof R]: R[K]['_']['data'] }[];
  if (removed.length) return { row: 'deleted', removed };
  const kept = await tx.select({ id: key }).from(table).where(eq(key, id));
  return { row: kept.length ? 'newer' : 'absent', removed: [] };
}
