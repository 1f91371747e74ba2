import { Buffer } from 'node:buffer';
import { and, asc, desc, eq, gte, isNull, lt, type SQL, sql } from 'drizzle-orm';
import * as z from 'zod';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import type { JsonObject } from './json-value.js';
import type { AuditEvent, AuditQuery } from './types.js';

// Stored values never hold a control character (event-input refuses them), and Postgres refuses
// a NUL in text outright: a filter with one is refused before the query.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const noControl = (s: string) => !CONTROL.test(s);
const text = z.string().min(1).max(256).refine(noControl, 'contains a control character');
const time = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v, ctx) => {
  const date = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'is not a valid time' });
    return z.NEVER;
  }
  return date;
});

/** @internal */
export const auditQuerySchema = z.strictObject({
  organizationId: text.nullable().optional(),
  actorId: text.optional(),
  action: text.optional(),
  resourceType: text.optional(),
  resourceId: text.optional(),
  subjectId: text.optional(),
  from: time.optional(),
  to: time.optional(),
  cursor: z.string().max(200).refine(noControl, 'contains a control character').optional(),
  limit: z.number().int().min(1).max(500).default(50),
});

/** A validated query. @internal */
export type ParsedAuditQuery = z.output<typeof auditQuerySchema>;

/** Validates a query (`what` names the calling function in errors). @internal */
export function parseAuditQuery(query: AuditQuery | undefined, what: string): ParsedAuditQuery {
  return parseInput(auditQuerySchema, query ?? {}, what);
}

// The position after which a page starts: the last event's time (as Postgres renders it, to the
// microsecond) and id.
const cursorSchema = z.tuple([
  z.iso.datetime({ offset: true, precision: 6 }),
  z.string().regex(/^\d{1,19}$/),
]);

function decodeCursor(cursor: string, what: string): [string, string] {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new OrgkitError('invalid_input', `${what}: cursor: not a cursor this function returned`, {
      details: { key: 'cursor' },
    });
  }
}

const encodeCursor = (at: string, id: string) =>
  Buffer.from(JSON.stringify([at, id])).toString('base64url');

const occurredAtText = (t: OrgkitTables['auditLogs']) =>
  sql<string>`to_char(${t.occurredAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One page of events matching the filters, ordered by `(occurred_at, id)`: newest first, or
 * oldest first for exports. Each filter combination has an index leading with its columns.
 * @internal
 */
export async function selectAuditPage(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  query: ParsedAuditQuery,
  order: 'newest' | 'oldest',
  what: string,
): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
  const t = tables.auditLogs;
  const where: (SQL | undefined)[] = [
    query.organizationId === undefined
      ? undefined
      : query.organizationId === null
        ? isNull(t.workosOrgId)
        : eq(t.workosOrgId, query.organizationId),
    query.actorId === undefined ? undefined : eq(t.actorWorkosUserId, query.actorId),
    query.action === undefined ? undefined : eq(t.action, query.action),
    query.resourceType === undefined ? undefined : eq(t.targetType, query.resourceType),
    query.resourceId === undefined ? undefined : eq(t.targetId, query.resourceId),
    query.subjectId === undefined
      ? undefined
      : sql`${t.subjectIds} @> ARRAY[${query.subjectId}]::text[]`,
    query.from === undefined ? undefined : gte(t.occurredAt, query.from),
    query.to === undefined ? undefined : lt(t.occurredAt, query.to),
  ];
  if (query.cursor !== undefined) {
    const [at, id] = decodeCursor(query.cursor, what);
    where.push(
      order === 'newest'
        ? sql`(${t.occurredAt}, ${t.id}) < (${at}::timestamptz, ${id}::bigint)`
        : sql`(${t.occurredAt}, ${t.id}) > (${at}::timestamptz, ${id}::bigint)`,
    );
  }
  const direction = order === 'newest' ? desc : asc;
  const rows = await db
    .select({ row: t, at: occurredAtText(t) })
    .from(t)
    .where(and(...where))
    .orderBy(direction(t.occurredAt), direction(t.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    events: page.map(({ row }) => toAuditEvent(row)),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor(last.at, String(last.row.id)) : null,
  };
}

// Streams read pages that grow, since a filter answered by the GIN subject index fetches and
// sorts every matching row again for each page: with fixed pages of 500, a subject with 50,000
// events cost 100 such passes. Growing ×4 to a cap keeps the passes few and memory bounded.
const STREAM_PAGES = { first: 1_000, growth: 4, max: 10_000 } as const;

/**
 * Every event matching the filters (after the query's cursor, if any), oldest first, read page
 * after page; the query's own limit is not used. @internal
 */
export async function* streamAuditEvents(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  query: ParsedAuditQuery,
  what: string,
): AsyncGenerator<AuditEvent> {
  const page: ParsedAuditQuery = { ...query, limit: STREAM_PAGES.first };
  for (;;) {
    const { events, nextCursor } = await selectAuditPage(db, tables, page, 'oldest', what);
    yield* events;
    if (!nextCursor) return;
    page.cursor = nextCursor;
    page.limit = Math.min(STREAM_PAGES.max, page.limit * STREAM_PAGES.growth);
  }
}

/** A stored row in the shape queries return. @internal */
export function toAuditEvent(row: OrgkitTables['auditLogs']['$inferSelect']): AuditEvent {
  return {
    id: String(row.id),
    organizationId: row.workosOrgId,
    seq: Number(row.seq),
    hash: row.hash,
    prevHash: row.prevHash,
    occurredAt: row.occurredAt,
    action: row.action,
    outcome: row.outcome,
    actor:
      row.actorWorkosUserId !== null
        ? { userId: row.actorWorkosUserId }
        : row.actorSystem !== null
          ? { system: row.actorSystem }
          : null,
    resourceType: row.targetType,
    resourceId: row.targetId,
    ipAddress: row.ipAddress,
    userAgent: row.userAgent,
    requestId: row.requestId,
    changes: {
      oldValues: (row.oldValues as JsonObject | null) ?? null,
      newValues: (row.newValues as JsonObject | null) ?? null,
    },
    metadata: (row.metadata as JsonObject | null) ?? null,
    subjectIds: row.subjectIds ?? [],
    impersonator:
      row.impersonator === null
        ? null
        : { email: row.impersonator, reason: row.impersonationReason },
  };
}
