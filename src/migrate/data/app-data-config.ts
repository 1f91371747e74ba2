import { type SQL, sql } from 'drizzle-orm';
import * as z from 'zod';
import { type OrgkitDatabase, rowsOf } from '../../db/database.js';
import { OrgkitError } from '../../errors/index.js';

// Plain, unquoted-style Postgres names: no quoting tricks, at most 63 bytes.
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'expected a plain SQL name (letters, digits, _, $)');

const tableSchema = z
  .strictObject({
    table: identifier,
    /** The table's schema. @default the connection's search_path */
    schema: identifier.optional(),
    clerkUserIdColumn: identifier,
    organizationIdColumn: identifier,
    workosUserIdColumn: identifier.optional(),
    requiredColumns: z.array(identifier).optional(),
  })
  .superRefine((t, ctx) => {
    const roles = [t.clerkUserIdColumn, t.organizationIdColumn, t.workosUserIdColumn].filter(
      (c) => c !== undefined,
    );
    if (new Set(roles).size !== roles.length) {
      ctx.addIssue({
        code: 'custom',
        message: 'clerkUserIdColumn, organizationIdColumn and workosUserIdColumn must differ',
      });
    }
  });

const configSchema = z.strictObject({
  tables: z
    .array(tableSchema)
    .min(1)
    .superRefine((tables, ctx) => {
      const seen = new Set<string>();
      for (const [i, t] of tables.entries()) {
        const key = `${t.schema ?? ''}.${t.table}`;
        if (seen.has(key))
          ctx.addIssue({ code: 'custom', path: [i, 'table'], message: 'listed twice' });
        seen.add(key);
      }
    }),
  batchSize: z.number().int().min(1).max(10_000).optional(),
});

/** One app table whose rows name users by their Clerk id (seed 4.2). */
export interface ClerkAppTable {
  table: string;
  /** @default the connection's search_path */
  schema?: string;
  /** The column holding the Clerk user id. Rewritten in place unless `workosUserIdColumn` is given. */
  clerkUserIdColumn: string;
  /** The column to fill with the user's WorkOS organization id (text). */
  organizationIdColumn: string;
  /** A separate column for the WorkOS user id; the Clerk id column is then kept as it is. */
  workosUserIdColumn?: string;
  /** Columns `validateClerkMigration` requires to be NOT NULL on every row. */
  requiredColumns?: string[];
}

/**
 * The app-data part of a migration config file (`--config FILE`). Legacy guest columns are simply
 * not listed: the rewrite touches only the columns named here, so they stay NULL (seed 4.2).
 */
export interface ClerkAppDataConfig {
  tables: ClerkAppTable[];
  /** Rows per transaction. @default 500 */
  batchSize?: number;
}

/**
 * Validates an app-data config (as read from JSON); a mistake is `invalid_config` naming the key.
 *
 * @example
 * ```ts
 * const config = parseClerkAppDataConfig(JSON.parse(await readFile('migrate.json', 'utf8')))
 * ```
 */
export function parseClerkAppDataConfig(value: unknown): ClerkAppDataConfig {
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new OrgkitError(
    'invalid_config',
    `app data config: ${key}: ${issue?.message ?? 'invalid'}`,
    {
      cause: parsed.error,
      details: { key },
    },
  );
}

/** A configured table resolved against the catalog. @internal */
export interface ResolvedAppTable extends ClerkAppTable {
  /** `"schema"."table"` or `"table"`, quoted. */
  ref: SQL;
  /** For messages and reports: `schema.table` or `table`. */
  label: string;
  /** The regclass as text, for catalog queries. */
  regclass: string;
}

const TEXT_TYPES = new Set(['text', 'character varying', 'character']);

/**
 * Checks that every configured table and column exists, and that the id columns hold text
 * (WorkOS ids are text), before anything is written; a mistake is `invalid_config`.
 * @internal
 */
export async function resolveAppTables(
  db: OrgkitDatabase,
  config: ClerkAppDataConfig,
  what: string,
): Promise<ResolvedAppTable[]> {
  const resolved: ResolvedAppTable[] = [];
  for (const [i, t] of config.tables.entries()) {
    const ref = t.schema
      ? sql`${sql.identifier(t.schema)}.${sql.identifier(t.table)}`
      : sql`${sql.identifier(t.table)}`;
    const label = t.schema ? `${t.schema}.${t.table}` : t.table;
    const quoted = t.schema ? `"${t.schema}"."${t.table}"` : `"${t.table}"`;
    const columns = rowsOf<{ regclass: string | null; name: string | null; type: string | null }>(
      await db.execute(sql`
        SELECT c.oid::regclass::text AS regclass, a.attname AS name,
          format_type(a.atttypid, NULL) AS type
        FROM (SELECT to_regclass(${quoted}) AS oid) c
        LEFT JOIN pg_catalog.pg_attribute a
          ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped`),
    );
    const regclass = columns[0]?.regclass;
    if (!regclass) {
      throw new OrgkitError('invalid_config', `${what}: tables.${i}.table: no table ${label}`, {
        details: { key: `tables.${i}.table` },
      });
    }
    const types = new Map(columns.map((c) => [c.name, c.type]));
    const needed = [
      ['clerkUserIdColumn', t.clerkUserIdColumn, true],
      ['organizationIdColumn', t.organizationIdColumn, true],
      ['workosUserIdColumn', t.workosUserIdColumn, true],
      ...(t.requiredColumns ?? []).map((c, j) => [`requiredColumns.${j}`, c, false] as const),
    ] as const;
    for (const [key, column, mustBeText] of needed) {
      if (column === undefined) continue;
      const type = types.get(column);
      if (type === undefined) {
        throw new OrgkitError(
          'invalid_config',
          `${what}: tables.${i}.${key}: ${label} has no column ${column}`,
          {
            details: { key: `tables.${i}.${key}` },
          },
        );
      }
      if (mustBeText && !TEXT_TYPES.has(type ?? '')) {
        throw new OrgkitError(
          'invalid_config',
          `${what}: tables.${i}.${key}: ${label}.${column} is ${type}; WorkOS and Clerk ids need a text column`,
          { details: { key: `tables.${i}.${key}` } },
        );
      }
    }
    resolved.push({ ...t, ref, label, regclass });
  }
  return resolved;
}
