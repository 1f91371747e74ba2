import { and, eq, gte, or, type SQL, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { MirroredKind, OrgkitTables } from '../db/tables.js';
import { excluded } from './row-guard.js';

/**
 * Remembers that WorkOS deleted an object, as of `at` (the object's `updated_at` in the delete
 * event). Kept also when the mirror never had the row: its `created` event may still be on its
 * way. A repeated or older delete keeps the latest time.
 * @internal
 */
export async function recordTombstone(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  kind: MirroredKind,
  workosId: string,
  at: Date,
): Promise<void> {
  const t = tables.mirrorTombstones;
  await tx
    .insert(t)
    .values({ kind, workosId, deletedAt: at })
    .onConflictDoUpdate({
      target: [t.kind, t.workosId],
      set: { deletedAt: sql`greatest(${t.deletedAt}, ${excluded(t.deletedAt)})` },
    });
}

/** One thing an upsert must not revive. @internal */
export interface TombstoneCheck {
  kind: MirroredKind;
  workosId: string;
  /**
   * The event's `updated_at`: only a deletion at or after it counts. Without it any deletion
   * counts (a membership of a deleted user or organization is gone for good).
   */
  notBefore?: Date | undefined;
}

/** Whether any of `checks` names a deleted object, so the event must not write its row. @internal */
export async function isTombstoned(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  checks: readonly TombstoneCheck[],
): Promise<boolean> {
  const t = tables.mirrorTombstones;
  const conditions: SQL[] = checks.map(({ kind, workosId, notBefore }) => {
    const named = and(eq(t.kind, kind), eq(t.workosId, workosId))!;
    return notBefore ? and(named, gte(t.deletedAt, notBefore))! : named;
  });
  const rows = await tx
    .select({ kind: t.kind })
    .from(t)
    .where(or(...conditions))
    .limit(1);
  return rows.length > 0;
}

/**
 * How long a tombstone is kept by default, in days: the Events API's retention. Every event a
 * tombstone guards against was emitted before the deletion was recorded, so once that is longer
 * ago than WorkOS keeps events, no listed event can need it (and webhook retries stop sooner).
 * @internal
 */
export const EVENTS_RETENTION_DAYS = 30;

/** Tombstones removed per sync, so one sync after a long pause stays short. @internal */
export const TOMBSTONE_PURGE_BATCH = 1_000;

/**
 * Deletes up to `batch` tombstones recorded more than `retentionDays` ago on the database's clock
 * (the time of recording, not the object's `updated_at`: a user last changed a year ago and
 * deleted today is guarded for the full window). Returns how many went.
 * @internal
 */
export async function purgeTombstones(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  retentionDays: number,
  batch = TOMBSTONE_PURGE_BATCH,
): Promise<number> {
  const t = tables.mirrorTombstones;
  const expired = sql`SELECT ${t.kind}, ${t.workosId} FROM ${t}
    WHERE ${t.createdAt} < now() - make_interval(days => ${retentionDays}::int)
    LIMIT ${batch}::int`;
  const purged = await db
    .delete(t)
    .where(sql`(${t.kind}, ${t.workosId}) IN (${expired})`)
    .returning({ kind: t.kind });
  return purged.length;
}
