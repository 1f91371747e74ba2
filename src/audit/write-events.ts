import { getTableName, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import { perDatabase, statementName } from '../db/database-source.js';
import type { OrgkitTables } from '../db/tables.js';
import type { AuditRow } from './event-input.js';
import type { LoggedAuditEvent } from './types.js';

const chainOf = (row: AuditRow) => row.workosOrgId ?? '';

// `{"a","b \"c\""}`: every element quoted, quotes and backslashes escaped (ids hold no
// control characters; event-input refuses them).
const textArrayLiteral = (values: readonly string[]) =>
  `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;

/** Writes audit rows; the database's trigger links each into its chain. @internal */
export interface AuditWriter {
  /**
   * Inserts `rows` in one statement (in `tx` when given) and returns the written events in
   * input order. With forwarding on, events that have an organization also enter the WorkOS
   * outbox in the same transaction.
   */
  write(rows: readonly AuditRow[], tx: OrgkitDatabase | undefined): Promise<LoggedAuditEvent[]>;
}

/** @internal */
export function createAuditWriter(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  forward: boolean,
): AuditWriter {
  const t = tables.auditLogs;
  const returned = {
    id: t.id,
    organizationId: t.workosOrgId,
    seq: t.seq,
    hash: t.hash,
    occurredAt: t.occurredAt,
  };
  const insert = (q: OrgkitDatabase, rows: AuditRow[]) =>
    q.insert(t).values(rows).returning(returned);
  type Written = Awaited<ReturnType<typeof insert>>[number];

  // The common case, one event outside a transaction, skips building the query each time.
  const columns = Object.keys({
    action: 0,
    outcome: 0,
    actorWorkosUserId: 0,
    actorSystem: 0,
    workosOrgId: 0,
    targetType: 0,
    targetId: 0,
    ipAddress: 0,
    userAgent: 0,
    requestId: 0,
    oldValues: 0,
    newValues: 0,
    metadata: 0,
    subjectIds: 0,
    impersonator: 0,
    impersonationReason: 0,
  } satisfies Record<keyof AuditRow, 0>) as (keyof AuditRow)[];
  // JSON goes in as text cast to jsonb, so an absent value is SQL NULL (a placeholder bound to
  // the column would store the JSON literal null) and every driver sends the same thing.
  const isJson = (c: keyof AuditRow) => c === 'oldValues' || c === 'newValues' || c === 'metadata';
  const source = db;
  const single = perDatabase(db, (db) =>
    db
      .insert(t)
      .values(
        Object.fromEntries(
          columns.map((c) => [
            c,
            isJson(c)
              ? sql`${sql.placeholder(c)}::jsonb`
              : // The subject list travels as an array literal in text: drivers disagree on
                // binding a JavaScript array to text[].
                c === 'subjectIds'
                ? sql`${sql.placeholder(c)}::text[]`
                : sql.placeholder(c),
          ]),
        ) as unknown as AuditRow,
      )
      .returning(returned)
      .prepare(statementName(source, `orgkit_audit_insert_${getTableName(t)}`)),
  );
  const singleParams = (row: AuditRow): Record<string, unknown> =>
    Object.fromEntries(
      columns.map((c) => {
        const value = row[c];
        if (value === null) return [c, null];
        if (isJson(c)) return [c, JSON.stringify(value)];
        if (c === 'subjectIds') return [c, textArrayLiteral(value as string[])];
        return [c, value];
      }),
    );

  const toEvent = (row: Written): LoggedAuditEvent => ({
    id: String(row.id),
    organizationId: row.organizationId,
    seq: Number(row.seq),
    hash: row.hash,
    occurredAt: row.occurredAt,
  });

  const insertInChainOrder = async (q: OrgkitDatabase, rows: readonly AuditRow[]) => {
    // Every writer takes chain head locks in the same (sorted) order, so two batches that
    // touch the same organizations cannot deadlock. The sort is stable: one chain's events
    // keep their order, and the result is put back in input order.
    const order = rows
      .map((_, i) => i)
      .sort((a, b) => {
        const ca = chainOf(rows[a]!);
        const cb = chainOf(rows[b]!);
        return ca < cb ? -1 : ca > cb ? 1 : a - b;
      });
    const written = await insert(
      q,
      order.map((i) => rows[i]!),
    );
    const events: LoggedAuditEvent[] = new Array(rows.length);
    order.forEach((input, position) => {
      events[input] = toEvent(written[position]!);
    });
    return events;
  };

  return {
    async write(rows, tx) {
      if (!forward) {
        if (!tx && rows.length === 1)
          return [toEvent((await single().execute(singleParams(rows[0]!)))[0]!)];
        return insertInChainOrder(tx ?? db, rows);
      }
      return (tx ?? db).transaction(async (inner) => {
        const events = await insertInChainOrder(inner, rows);
        const outbox = events.filter((event) => event.organizationId !== null);
        if (outbox.length > 0) {
          await inner.insert(tables.auditOutbox).values(
            outbox.map((event) => ({
              eventId: BigInt(event.id),
              workosOrgId: event.organizationId!,
            })),
          );
        }
        return events;
      });
    },
  };
}
