import { type SQL, sql } from 'drizzle-orm';
import * as z from 'zod';
import { type OrgkitDatabase, rowsOf } from '../../db/database.js';
import { isOrgkitError, OrgkitError, parseInput } from '../../errors/index.js';
import {
  type ClerkAppDataConfig,
  parseClerkAppDataConfig,
  type ResolvedAppTable,
  resolveAppTables,
} from './app-data-config.js';
import { type ClerkIdMapEntry, parseIdMap } from './id-map.js';

/** Options of {@link rewriteClerkAppData}. */
export interface RewriteClerkAppDataOptions {
  database: OrgkitDatabase;
  /** Which tables to rewrite; validated as {@link parseClerkAppDataConfig} does. */
  config: ClerkAppDataConfig;
  /** The run's id map (`migration-user-map.json`; extra fields such as `email` are ignored). */
  idMap: readonly ClerkIdMapEntry[];
  /** Called after each batch commits, e.g. for a progress bar. */
  onBatch?: (batch: { table: string; rows: number }) => void;
}

/** What {@link rewriteClerkAppData} did to one table. */
export interface ClerkAppTableRewrite {
  /** `schema.table` or `table`, as configured. */
  table: string;
  /** Rows changed by this call; 0 on a re-run of a finished rewrite. */
  rowsRewritten: number;
  /** Transactions committed. */
  batches: number;
  /**
   * Rows whose user id the map does not know: left as they are, never guessed. Up to ten of
   * those ids (Clerk ids, no personal data), in order.
   */
  unmapped: { rows: number; sampleIds: string[] };
}

/** The outcome of {@link rewriteClerkAppData}, one entry per configured table in config order. */
export interface RewriteClerkAppDataResult {
  tables: ClerkAppTableRewrite[];
}

const WHAT = 'rewriteClerkAppData';
const DEFAULT_BATCH_SIZE = 500;
// Map entries sent per statement: small enough to keep each parameter light, large enough that
// a table with few rows per user takes few statements.
const MAP_CHUNK = 1_000;
const SAMPLE_SIZE = 10;

const optionsSchema = z.looseObject({
  database: z.custom<OrgkitDatabase>(
    (v) => typeof (v as { transaction?: unknown } | null)?.transaction === 'function',
    'expected a drizzle database',
  ),
  config: z.unknown(),
  idMap: z.unknown(),
  onBatch: z
    .custom<(batch: { table: string; rows: number }) => void>((v) => typeof v === 'function')
    .optional(),
});

/** One pass over a table: which rows a map entry matches, when they need a change, and what to set. @internal */
export interface RewriteStep {
  match: (t: ResolvedAppTable) => SQL;
  needsChange: (t: ResolvedAppTable) => SQL;
  set: (t: ResolvedAppTable) => SQL;
}

/** `t."name"`: a column of the table aliased `t`. @internal */
export const col = (name: string) => sql`t.${sql.identifier(name)}`;
const target = (name: string) => sql.identifier(name);

/**
 * In place, the Clerk id becomes the WorkOS id and the organization is filled; rows already
 * holding a mapped WorkOS id only get the organization. With a separate WorkOS column, the
 * Clerk id stays as the legacy reference.
 * @internal
 */
export function stepsFor(t: ResolvedAppTable): RewriteStep[] {
  const org = t.organizationIdColumn;
  const orgDiffers = sql`${col(org)} IS DISTINCT FROM m.o`;
  const fillOrg: RewriteStep = {
    match: (x) => sql`${col(x.workosUserIdColumn ?? x.clerkUserIdColumn)} = m.w`,
    needsChange: () => orgDiffers,
    set: () => sql`${target(org)} = batch.o`,
  };
  if (t.workosUserIdColumn) {
    const w = t.workosUserIdColumn;
    return [
      {
        match: (x) => sql`${col(x.clerkUserIdColumn)} = m.c`,
        needsChange: () => sql`(${col(w)} IS DISTINCT FROM m.w OR ${orgDiffers})`,
        set: () => sql`${target(w)} = batch.w, ${target(org)} = batch.o`,
      },
      fillOrg,
    ];
  }
  return [
    {
      match: (x) => sql`${col(x.clerkUserIdColumn)} = m.c`,
      // An entry whose ids are equal would match its own result forever; it needs the org only.
      needsChange: () => sql`(m.c IS DISTINCT FROM m.w OR ${orgDiffers})`,
      set: (x) => sql`${target(x.clerkUserIdColumn)} = batch.w, ${target(org)} = batch.o`,
    },
    fillOrg,
  ];
}

/**
 * One batch: at most `limit` rows needing a change, locked, then updated by their physical
 * address (`tableoid` keeps partitions apart). Values travel as one JSON parameter.
 */
function batchStatement(
  t: ResolvedAppTable,
  step: RewriteStep,
  entries: string,
  limit: number,
): SQL {
  return sql`
    WITH m AS (
      SELECT * FROM jsonb_to_recordset(${entries}::jsonb) AS m(c text, w text, o text)
    ), batch AS (
      SELECT t.tableoid AS rel, t.ctid AS row_id, m.w, m.o
      FROM ${t.ref} t JOIN m ON ${step.match(t)}
      WHERE ${step.needsChange(t)}
      LIMIT ${limit}
      FOR UPDATE OF t
    ), changed AS (
      UPDATE ${t.ref} t SET ${step.set(t)}
      FROM batch WHERE t.tableoid = batch.rel AND t.ctid = batch.row_id
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM changed`;
}

/** Rows whose user id is neither a mapped Clerk id nor (in place) an id already rewritten. @internal */
export async function findUnmapped(
  db: OrgkitDatabase,
  t: ResolvedAppTable,
  map: readonly ClerkIdMapEntry[],
): Promise<{ rows: number; sampleIds: string[] }> {
  const known = JSON.stringify(
    t.workosUserIdColumn
      ? map.map((e) => e.clerkUserId)
      : map.flatMap((e) => [e.clerkUserId, e.workosUserId]),
  );
  const c = col(t.clerkUserIdColumn);
  const unmapped = sql`${c} IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM jsonb_array_elements_text(${known}::jsonb) k(id) WHERE k.id = ${c})`;
  const [count] = rowsOf<{ n: number }>(
    await db.execute(sql`SELECT count(*)::int AS n FROM ${t.ref} t WHERE ${unmapped}`),
  );
  const rows = Number(count?.n ?? 0);
  if (rows === 0) return { rows, sampleIds: [] };
  const sample = rowsOf<{ id: string }>(
    await db.execute(sql`
      SELECT DISTINCT ${c} AS id FROM ${t.ref} t WHERE ${unmapped} ORDER BY 1 LIMIT ${SAMPLE_SIZE}`),
  );
  return { rows, sampleIds: sample.map((r) => r.id) };
}

/** @internal */
export async function rewriteTable(
  db: OrgkitDatabase,
  t: ResolvedAppTable,
  map: readonly ClerkIdMapEntry[],
  batchSize: number,
  onBatch: ((batch: { table: string; rows: number }) => void) | undefined,
): Promise<ClerkAppTableRewrite> {
  const result: ClerkAppTableRewrite = {
    table: t.label,
    rowsRewritten: 0,
    batches: 0,
    unmapped: { rows: 0, sampleIds: [] },
  };
  for (const step of stepsFor(t)) {
    for (let start = 0; start < map.length; start += MAP_CHUNK) {
      const entries = JSON.stringify(
        map
          .slice(start, start + MAP_CHUNK)
          .map((e) => ({ c: e.clerkUserId, w: e.workosUserId, o: e.organizationId })),
      );
      for (;;) {
        const n = await db.transaction(async (tx) => {
          const [row] = rowsOf<{ n: number }>(
            await tx.execute(batchStatement(t, step, entries, batchSize)),
          );
          return Number(row?.n ?? 0);
        });
        if (n > 0) {
          result.rowsRewritten += n;
          result.batches += 1;
          onBatch?.({ table: t.label, rows: n });
        }
        if (n < batchSize) break;
      }
    }
  }
  result.unmapped = await findUnmapped(db, t, map);
  return result;
}

/**
 * Rewrites the app's own rows from Clerk user ids to WorkOS ones and fills each row's
 * organization id (seed 4.2), in batches of `config.batchSize` rows, each its own transaction.
 * Resumable: a batch that committed is not redone, and a re-run of a finished rewrite changes
 * nothing. Rows whose id the map does not know are reported, never guessed. Tables, columns and
 * column types are checked before any write (`invalid_config`); a bad map is `invalid_input`.
 *
 * @example
 * ```ts
 * const config = parseClerkAppDataConfig({
 *   tables: [
 *     { table: 'events', clerkUserIdColumn: 'clerk_user_id', organizationIdColumn: 'org_id' },
 *     { table: 'meetings', clerkUserIdColumn: 'clerk_user_id', workosUserIdColumn: 'workos_user_id', organizationIdColumn: 'org_id' },
 *   ],
 * })
 * const { tables } = await rewriteClerkAppData({ database: db, config, idMap })
 * for (const t of tables) if (t.unmapped.rows) console.warn(t.table, t.unmapped)
 * ```
 */
export async function rewriteClerkAppData(
  options: RewriteClerkAppDataOptions,
): Promise<RewriteClerkAppDataResult> {
  const parsed = parseInput(optionsSchema, options, WHAT);
  const config = parseClerkAppDataConfig(parsed.config);
  const map = parseIdMap(parsed.idMap, WHAT);
  const db = parsed.database;
  const tables = await resolveAppTables(db, config, WHAT);
  const batchSize = config.batchSize ?? DEFAULT_BATCH_SIZE;
  const results: ClerkAppTableRewrite[] = [];
  for (const t of tables) {
    try {
      results.push(await rewriteTable(db, t, map, batchSize, parsed.onBatch));
    } catch (error) {
      if (isOrgkitError(error)) throw error;
      throw new OrgkitError(
        'internal',
        `${WHAT}: rewriting ${t.label} failed; the batches before it are committed and a re-run continues from there`,
        { cause: error, details: { table: t.label } },
      );
    }
  }
  return { tables: results };
}
