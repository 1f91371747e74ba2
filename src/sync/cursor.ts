import { eq, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';

/** The `orgkit_sync_cursors` row of the Events API sync. @internal */
export const EVENTS_CURSOR = 'workos_events';

// The cursor column is NOT NULL; '' stands for "no event read yet".
const toCursor = (value: string | undefined): string | undefined => value || undefined;

/** The stored cursor, read without a lock. @internal */
export async function readCursor(
  db: OrgkitDatabase,
  tables: OrgkitTables,
): Promise<string | undefined> {
  const t = tables.syncCursors;
  const [row] = await db.select({ cursor: t.cursor }).from(t).where(eq(t.name, EVENTS_CURSOR));
  return toCursor(row?.cursor);
}

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
