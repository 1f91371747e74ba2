import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { AuditRow } from './event-input.js';
import type { LoggedAuditEvent } from './types.js';

/**
 * Inserts `rows` in one statement; the database's trigger links each into its chain. With
 * `forward`, the events that have an organization also enter the WorkOS outbox, in the same
 * transaction. Returns the written events in input order.
 * @internal
 */
export async function writeAuditRows(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  rows: readonly AuditRow[],
  forward: boolean,
): Promise<LoggedAuditEvent[]> {
  const t = tables.auditLogs;
  const insert = (q: OrgkitDatabase) =>
    q
      .insert(t)
      .values(rows as AuditRow[])
      .returning({
        id: t.id,
        organizationId: t.workosOrgId,
        seq: t.seq,
        hash: t.hash,
        occurredAt: t.occurredAt,
      });
  const toEvents = (written: Awaited<ReturnType<typeof insert>>): LoggedAuditEvent[] =>
    written.map((row) => ({
      id: String(row.id),
      organizationId: row.organizationId,
      seq: Number(row.seq),
      hash: row.hash,
      occurredAt: row.occurredAt,
    }));
  if (!forward) return toEvents(await insert(db));
  return db.transaction(async (tx) => {
    const written = toEvents(await insert(tx));
    const outbox = written.filter((event) => event.organizationId !== null);
    if (outbox.length > 0) {
      await tx.insert(tables.auditOutbox).values(
        outbox.map((event) => ({
          eventId: BigInt(event.id),
          workosOrgId: event.organizationId!,
        })),
      );
    }
    return written;
  });
}
