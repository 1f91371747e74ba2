import { eq, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';
import { EVENTS_RETENTION_DAYS } from './tombstones.js';

/** The `orgkit_sync_cursors` row of the Events API sync. @internal */
export const EVENTS_CURSOR = 'workos_events';

// The cursor column is NOT NULL; '' stands for "no event read yet".
const toCursor = (value: string | undefined): string | undefined => value || undefined;

/**
 * Locks the cursor row for the rest of the transaction and returns its value. The row is created
 * first, so even the very first sync has a row for concurrent runs to queue on.
 * @internal
 */
export async function lockCursor(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
): Promise<string | undefined> {
  const t = tables.syncCursors;
  await tx.insert(t).values({ name: EVENTS_CURSOR, cursor: '' }).onConflictDoNothing();
  const [row] = await tx
    .select({ cursor: t.cursor })
    .from(t)
    .where(eq(t.name, EVENTS_CURSOR))
    .for('update');
  return toCursor(row?.cursor);
}

/** Stores the cursor; call inside the transaction that applied the page. @internal */
export async function writeCursor(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  cursor: string,
): Promise<void> {
  const t = tables.syncCursors;
  await tx.update(t).set({ cursor, updatedAt: sql`now()` }).where(eq(t.name, EVENTS_CURSOR));
}

/**
 * The stored cursor and whether it is older than WorkOS keeps events. `updated_at` is the last
 * time a sync read the Events API to its end from this cursor (see {@link touchCursor}), so every
 * event after the cursor is younger than that; once it is past the retention, events the mirror
 * never saw may be gone.
 * @internal
 */
export async function readCursorState(
  db: OrgkitDatabase,
  tables: OrgkitTables,
): Promise<{ cursor: string | undefined; expired: boolean }> {
  const t = tables.syncCursors;
  const [row] = await db
    .select({
      cursor: t.cursor,
      expired: sql<boolean>`${t.updatedAt} < now() - make_interval(days => ${EVENTS_RETENTION_DAYS}::int)`,
    })
    .from(t)
    .where(eq(t.name, EVENTS_CURSOR));
  const cursor = toCursor(row?.cursor);
  return { cursor, expired: cursor !== undefined && row?.expired === true };
}

/**
 * Records that a sync read every event after `cursor`: a quiet environment, whose cursor does
 * not move for weeks, is then not taken for one that missed events.
 * @internal
 */
export async function touchCursor(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  cursor: string,
): Promise<void> {
  const t = tables.syncCursors;
  await db
    .update(t)
    .set({ updatedAt: sql`now()` })
    .where(sql`${t.name} = ${EVENTS_CURSOR} and ${t.cursor} = ${cursor}`);
}

/**
 * The error telling the caller that events may have been lost and the mirror must be rebuilt
 * with `reconcileWorkOSMirror()` before the Events API sync can resume.
 * @internal
 */
export function cursorExpired(operation: string, cause?: unknown): OrgkitError {
  return new OrgkitError(
    'conflict',
    `${operation}: the Events API cursor is older than WorkOS keeps events (${EVENTS_RETENTION_DAYS} days) or WorkOS no longer accepts it; run reconcileWorkOSMirror() (orgkit sync reconcile) to rebuild the mirror, then sync again`,
    { reason: 'cursor_expired', ...(cause === undefined ? {} : { cause }) },
  );
}
