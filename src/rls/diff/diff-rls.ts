import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../db/database.js';
import { OrgkitError, parseInput } from '../../errors/index.js';
import type { RlsTarget } from '../claims.js';
import { quoteIdent } from '../identifiers.js';
import { queryRows } from '../lint/context.js';
import type { RlsModel } from '../model.js';
import { type ModelPlan, planModel, sqlOptionsSchema } from '../plan-model.js';
import { roleStatements } from '../sql-statements.js';
import { roleExists } from './catalog.js';
import { compareHelper, compareTriggerFunctions } from './compare-functions.js';
import { compareTable } from './compare-table.js';
import type { RlsDiff, RlsDifference, RlsDiffOptions } from './types.js';

class Rollback extends Error {}

// generateRlsSql's options, the target optional (found in the database when left out).
const diffOptionsSchema = sqlOptionsSchema.partial({ target: true });

/** The claim functions each target's policies call. */
const CLAIM_FUNCTIONS: Record<RlsTarget, string[]> = {
  supabase: ['auth.jwt()'],
  neon: ['auth.session()', 'auth.user_id()'],
  postgres: [],
};

/** A schema that is not there is a wrong flag or connection string, not drift to mend. */
async function assertSchemaExists(db: OrgkitDatabase, schema: string): Promise<void> {
  const [row] = await queryRows<{ exists: boolean }>(
    db,
    sql`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ${schema}) AS exists`,
  );
  if (!row?.exists) {
    throw new OrgkitError(
      'not_found',
      `diffRls: the database has no schema ${JSON.stringify(schema)}: is this the right schema and database?`,
      { details: { key: 'schema' } },
    );
  }
}

/**
 * The target asked for, after checking the database has its claim functions. Without one, the
 * target the schema's policies read claims with (`auth.jwt()`: supabase; `auth.session()` or
 * `auth.user_id()`: neon; `request.jwt.claims`: postgres), else the one whose functions exist.
 */
async function resolveTarget(
  db: OrgkitDatabase,
  asked: RlsTarget | undefined,
  schema: string,
): Promise<RlsTarget> {
  const [row] = await queryRows<{ present: string[]; policies: string | null }>(
    db,
    sql`SELECT coalesce((SELECT array_agg(f) FROM unnest(ARRAY['auth.jwt()', 'auth.session()', 'auth.user_id()']) AS f
          WHERE to_regprocedure(f) IS NOT NULL), '{}') AS present,
        (SELECT string_agg(concat(pg_get_expr(p.polqual, p.polrelid), ' ', pg_get_expr(p.polwithcheck, p.polrelid)), ' ')
          FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ${schema}) AS policies`,
  );
  const present = row?.present ?? [];
  if (!asked) {
    const policies = row?.policies ?? '';
    if (policies.includes('auth.jwt()')) return 'supabase';
    if (/auth\.(session|user_id)\(\)/.test(policies)) return 'neon';
    if (policies.includes('request.jwt.claims')) return 'postgres';
    return present.includes('auth.jwt()')
      ? 'supabase'
      : present.includes('auth.session()')
        ? 'neon'
        : 'postgres';
  }
  const missing = CLAIM_FUNCTIONS[asked].filter((f) => !present.includes(f));
  if (missing.length > 0) {
    throw new OrgkitError(
      'invalid_config',
      `diffRls: target ${asked}: the database has no ${missing.join(' or ')}, which its policies read claims with: is this the right target?`,
      { details: { key: 'target' } },
    );
  }
  return asked;
}

/**
 * Compares a live database's row-level security with the model, as `generateRlsSql` would leave
 * it: missing, extra or changed policies (expression, command, roles, permissive), RLS or FORCE
 * off, table grants wider or narrower than generated, the membership helper changed or granted
 * to more roles, orgkit's audit trigger functions granted to any role. Each difference carries
 * the SQL that mends it, and `sql` all of them in one re-runnable transaction.
 *
 * It reads only: the expected policies are created on temporary copies of the tables (so Postgres
 * prints both sides the same way) in a transaction that is rolled back, and the real tables are
 * never locked beyond a read. Run it as the role that runs migrations.
 *
 * @example
 * ```ts
 * const { differences, sql } = await diffRls(db, model, { target: 'supabase' })
 * if (differences.length > 0) console.log(sql)
 * ```
 */
export async function diffRls(
  db: OrgkitDatabase,
  model: RlsModel,
  options: RlsDiffOptions = {},
): Promise<RlsDiff> {
  const checked = parseInput(diffOptionsSchema, options, 'diffRls options');
  let differences: RlsDifference[] = [];
  await db
    .transaction(async (tx) => {
      const schema = checked.schema ?? 'public';
      await assertSchemaExists(tx, schema);
      const target = await resolveTarget(tx, checked.target, schema);
      const plan = planModel(model, { ...checked, target }, 'diffRls');
      // An empty search path: every name in a deparsed expression comes out schema-qualified.
      await tx.execute(sql`SELECT set_config('search_path', '', true)`);
      differences = await compare(tx, plan);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return { differences, sql: fixSql(differences) };
}

async function compare(db: OrgkitDatabase, plan: ModelPlan): Promise<RlsDifference[]> {
  const found: RlsDifference[] = [];
  if (!(await roleExists(db, plan.role))) {
    found.push({
      kind: 'role_missing',
      message: `the request role ${plan.role} does not exist`,
      fix: roleStatements(plan.role, plan.schema).join('\n'),
    });
    // Created in this rolled-back transaction, so the expected policies can name it.
    await db.execute(sql.raw(`CREATE ROLE ${quoteIdent(plan.role)} NOLOGIN`));
  }
  found.push(...(await compareHelper(db, plan)));
  for (const [i, table] of plan.tables.entries()) {
    found.push(...(await compareTable(db, plan, table, i)));
  }
  found.push(...(await compareTriggerFunctions(db, plan.schema)));
  return found;
}

function fixSql(differences: RlsDifference[]): string {
  const fixes = [...new Set(differences.flatMap((d) => (d.fix ? [d.fix] : [])))];
  if (fixes.length === 0) return '';
  return [
    '-- Brings row-level security back to the model (orgkit rls diff). Re-runnable.',
    'BEGIN;',
    ...fixes,
    'COMMIT;',
    '',
  ].join('\n');
}
