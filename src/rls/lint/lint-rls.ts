import { sql } from 'drizzle-orm';
import * as z from 'zod';
import type { OrgkitDatabase } from '../../db/database.js';
import { parseInput } from '../../errors/index.js';
import { type LintContext, queryRows } from './context.js';
import { lintFunctions } from './function-rules.js';
import { lintUnindexedColumns } from './index-rules.js';
import { readPolicies } from './policy-catalog.js';
import {
  lintClaimCalls,
  lintMultiplePermissive,
  lintPolicyShape,
  lintUpdateWithoutSelect,
} from './policy-rules.js';
import { lintRequestRole } from './role-rules.js';
import { lintTables } from './table-rules.js';
import type { RlsLintFinding, RlsLintOptions } from './types.js';
import { lintViews } from './view-rules.js';

// A lone UTF-16 surrogate cannot be sent to Postgres (the driver fails before any query runs).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const name = z
  .string()
  .min(1)
  .max(63)
  .refine((value) => !LONE_SURROGATE.test(value), 'expected well-formed text (a lone surrogate)');
const optionsSchema = z
  .object({
    role: name.default('authenticated'),
    schemas: z.array(name).min(1).optional(),
    ignore: z.array(z.string()).default([]),
  })
  .strict();

const LEVEL_ORDER = { error: 0, warning: 1, info: 2 } as const;

function compare(a: RlsLintFinding, b: RlsLintFinding): number {
  // Code-point order, not the locale's: the same findings print in the same order everywhere.
  const byKey = a.cacheKey < b.cacheKey ? -1 : a.cacheKey > b.cacheKey ? 1 : 0;
  return LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || byKey;
}

type ParsedOptions = z.output<typeof optionsSchema>;

async function runRules(tx: OrgkitDatabase, options: ParsedOptions): Promise<RlsLintFinding[]> {
  const schemas =
    options.schemas ??
    (
      await queryRows<{ schema: string }>(
        tx,
        sql`SELECT s AS schema FROM unnest(current_schemas(false)) AS s WHERE s NOT IN ('pg_catalog', 'information_schema')`,
      )
    ).map((row) => row.schema);
  // An empty search path makes the deparser schema-qualify every function (auth.user_id()),
  // whatever path the connection had. Restored after: a caller's own transaction keeps its path.
  const [saved] = await queryRows<{ path: string }>(
    tx,
    sql`SELECT current_setting('search_path') AS path, set_config('search_path', '', true)`,
  );
  const context: LintContext = { db: tx, role: options.role, schemas };
  const policies = await readPolicies(context);
  const found = [
    ...(await lintTables(context)),
    ...(await lintRequestRole(context)),
    ...(await lintViews(context)),
    ...(await lintFunctions(context)),
    ...policies.flatMap((policy) => [
      ...lintClaimCalls(policy),
      ...lintPolicyShape(policy, options.role),
    ]),
    ...lintUpdateWithoutSelect(policies),
    ...lintUnindexedColumns(policies),
    ...lintMultiplePermissive(policies),
  ];
  await tx.execute(sql`SELECT set_config('search_path', ${saved?.path ?? ''}, true)`);
  return found;
}

/**
 * Lints a live database's row-level security: tables without it or without FORCE, policies
 * that are always true, read claims per row, use `auth.uid()` or apply to PUBLIC, unindexed
 * policy columns, a privileged request role, views without `security_invoker`, SECURITY DEFINER
 * functions executable by more roles than need them or without a pinned `search_path`, and
 * several permissive policies for one command (info). Errors first.
 *
 * @example
 * ```ts
 * const findings = await lintRls(db, { schemas: ['public'], ignore: ['rls_enabled_no_policy_public.jobs'] })
 * if (findings.some((f) => f.level === 'error')) process.exitCode = 1
 * ```
 */
export async function lintRls(
  db: OrgkitDatabase,
  options: RlsLintOptions = {},
): Promise<RlsLintFinding[]> {
  const parsed = parseInput(optionsSchema, options, 'lintRls options');
  // Read only: a lint never changes the database it reads (inside a caller's transaction it
  // runs as a savepoint and keeps the caller's mode).
  const findings = await db.transaction((tx) => runRules(tx, parsed), { accessMode: 'read only' });
  const ignored = new Set(parsed.ignore);
  return findings.filter((found) => !ignored.has(found.cacheKey)).sort(compare);
}
