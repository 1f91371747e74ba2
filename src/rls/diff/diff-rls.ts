import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../db/database.js';
import { OrgkitError, parseInput } from '../../errors/index.js';
import type { RlsTarget } from '../claims.js';
import { qualify, quoteIdent } from '../identifiers.js';
import { queryRows } from '../lint/context.js';
import type { RlsModel } from '../model.js';
import { type ModelPlan, planModel, sqlOptionsSchema } from '../plan-model.js';
import type { TablePlan } from '../policies.js';
import {
  helperStatements,
  policySql,
  roleStatements,
  tableAccessStatements,
} from '../sql-statements.js';
import {
  type PolicyState,
  readFunctionState,
  readPolicyStates,
  readTableState,
  roleExists,
} from './catalog.js';
import type { RlsDiff, RlsDifference, RlsDiffOptions } from './types.js';

/** orgkit's audit trigger functions (migration 0003): executable by no role but their owner. */
const TRIGGER_FUNCTIONS = [
  'orgkit_audit_link',
  'orgkit_audit_refuse_change',
  'orgkit_audit_delete_if_purged',
];

const PRIVILEGE = { select: 'SELECT', insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' };

class Rollback extends Error {}

// generateRlsSql's options, the target optional (found in the database when left out).
const diffOptionsSchema = sqlOptionsSchema.partial({ target: true });

/** The claim functions each target's policies call. */
const CLAIM_FUNCTIONS: Record<RlsTarget, string[]> = {
  supabase: ['auth.jwt()'],
  neon: ['auth.session()', 'auth.user_id()'],
  postgres: [],
};

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
      const target = await resolveTarget(tx, checked.target, checked.schema ?? 'public');
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

async function compareHelper(db: OrgkitDatabase, plan: ModelPlan): Promise<RlsDifference[]> {
  if (!plan.helper) return [];
  const signature = `${qualify(plan.schema, plan.helper.name)}()`;
  const fix = helperStatements(plan.helper, plan.schema, plan.role).join('\n');
  const live = await readFunctionState(db, signature);
  if (!live) {
    // The expected policies call it: create it here (rolled back) so they can be compared.
    await db.execute(sql`SELECT set_config('check_function_bodies', 'off', true)`);
    await db.execute(sql.raw(helperStatements(plan.helper, plan.schema, plan.role)[0]!));
    return [
      {
        kind: 'function_missing',
        function: signature,
        message: `${signature} (the membership helper) is missing`,
        fix,
      },
    ];
  }
  const changes: string[] = [];
  if (live.body.trim() !== plan.helper.body.trim()) changes.push('its body');
  if (!live.definer) changes.push('SECURITY DEFINER');
  if (live.volatility !== 's') changes.push('STABLE');
  if (live.returns !== 'text[]') changes.push(`its return type (${live.returns}, not text[])`);
  if (!live.config.includes('search_path=""')) changes.push("SET search_path = ''");
  const out: RlsDifference[] = [];
  if (changes.length > 0) {
    out.push({
      kind: 'function_changed',
      function: signature,
      message: `${signature} differs from the generated helper: ${changes.join(', ')}`,
      fix,
    });
  }
  const extra = live.executors.filter((name) => name !== plan.role);
  if (extra.length > 0 || !live.executors.includes(plan.role)) {
    out.push({
      kind: 'function_granted',
      function: signature,
      message: extra.length
        ? `${signature} is executable by ${extra.join(', ')}; the model lets only ${plan.role} execute it`
        : `${signature} is not executable by ${plan.role}, whose policies call it`,
      fix,
    });
  }
  return out;
}

async function compareTriggerFunctions(
  db: OrgkitDatabase,
  schema: string,
): Promise<RlsDifference[]> {
  const out: RlsDifference[] = [];
  for (const name of TRIGGER_FUNCTIONS) {
    const signature = `${qualify(schema, name)}()`;
    const live = await readFunctionState(db, signature);
    if (!live || live.executors.length === 0) continue;
    out.push({
      kind: 'function_granted',
      function: signature,
      message: `${signature} (an audit trigger function, SECURITY DEFINER) is executable by ${live.executors.join(', ')}; triggers need no grant, so no role should have one`,
      // regrole's text form, quoted where SQL needs it, as REVOKE takes it.
      fix: `REVOKE ALL ON FUNCTION ${signature} FROM ${live.executors.join(', ')};`,
    });
  }
  return out;
}

async function compareTable(
  db: OrgkitDatabase,
  plan: ModelPlan,
  table: TablePlan,
  index: number,
): Promise<RlsDifference[]> {
  const qualified = qualify(plan.schema, table.table);
  const state = await readTableState(db, qualified);
  if (!state.exists) {
    return [
      {
        kind: 'table_missing',
        table: qualified,
        message: `${qualified} is in the model but not in the database: run the migration that creates it, then generateRlsSql's SQL`,
      },
    ];
  }
  const out: RlsDifference[] = [];
  if (!state.rls) {
    out.push({
      kind: 'rls_disabled',
      table: qualified,
      message: `${qualified} has row-level security off`,
      fix: `ALTER TABLE ${qualified} ENABLE ROW LEVEL SECURITY;`,
    });
  }
  if (!state.forced) {
    out.push({
      kind: 'rls_not_forced',
      table: qualified,
      message: `${qualified} does not FORCE row-level security, so its owner bypasses the policies`,
      fix: `ALTER TABLE ${qualified} FORCE ROW LEVEL SECURITY;`,
    });
  }
  out.push(...compareGrants(plan, table, qualified, state.grants));
  out.push(...(await comparePolicies(db, plan, table, qualified, index)));
  return out;
}

function compareGrants(
  plan: ModelPlan,
  table: TablePlan,
  qualified: string,
  grants: Record<string, string[]>,
): RlsDifference[] {
  const out: RlsDifference[] = [];
  const expected = table.grants.map((command) => PRIVILEGE[command]);
  const roleName = quoteRoleName(plan.role);
  const held = grants[roleName] ?? [];
  const wider = held.filter((p) => !expected.includes(p));
  const missing = expected.filter((p) => !held.includes(p));
  const access = tableAccessStatements(table, plan.schema, plan.role).slice(2).join('\n');
  if (wider.length > 0) {
    out.push({
      kind: 'grant_wider',
      table: qualified,
      message: `${plan.role} holds ${wider.join(', ')} on ${qualified} beyond the generated ${expected.join(', ') || 'nothing'}`,
      fix: access,
    });
  }
  if (missing.length > 0) {
    out.push({
      kind: 'grant_missing',
      table: qualified,
      message: `${plan.role} lacks ${missing.join(', ')} on ${qualified}, which its policies need`,
      fix: access,
    });
  }
  for (const other of ['PUBLIC', ...plan.revokeFrom]) {
    const privileges = grants[other === 'PUBLIC' ? other : quoteRoleName(other)] ?? [];
    if (privileges.length === 0) continue;
    out.push({
      kind: 'grant_wider',
      table: qualified,
      message: `${other} holds ${privileges.join(', ')} on ${qualified}; the model grants it nothing`,
      fix: `REVOKE ALL ON TABLE ${qualified} FROM ${other === 'PUBLIC' ? other : quoteIdent(other)};`,
    });
  }
  return out;
}

// regrole's text form: quoted only where SQL needs it.
function quoteRoleName(role: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(role) ? role : quoteIdent(role);
}

async function comparePolicies(
  db: OrgkitDatabase,
  plan: ModelPlan,
  table: TablePlan,
  qualified: string,
  index: number,
): Promise<RlsDifference[]> {
  const live = await readPolicyStates(db, qualified);
  const expected = await expectedPolicies(db, plan, table, qualified, index);
  const out: RlsDifference[] = [];
  const liveByName = new Map(live.map((p) => [p.name, p]));
  const expectedNames = new Set(table.policies.map((p) => p.name));
  const create = (name: string) => {
    const policy = table.policies.find((p) => p.name === name)!;
    return policySql(policy, qualified, plan.role).join('\n');
  };
  if (live.length === 0 && table.policies.length > 0) {
    out.push({
      kind: 'policies_lost',
      table: qualified,
      message: `${qualified} has none of its ${table.policies.length} policies (${[...expectedNames].join(', ')})`,
      fix: table.policies.map((p) => create(p.name)).join('\n'),
    });
    return out;
  }
  for (const want of expected) {
    const have = liveByName.get(want.name);
    if (!have) {
      out.push({
        kind: 'policy_missing',
        table: qualified,
        policy: want.name,
        message: `policy ${want.name} on ${qualified} is missing`,
        fix: create(want.name),
      });
      continue;
    }
    const changes = policyChanges(want, have);
    if (changes.length > 0) {
      out.push({
        kind: 'policy_changed',
        table: qualified,
        policy: want.name,
        message: `policy ${want.name} on ${qualified} differs from the model: ${changes.join('; ')}`,
        fix: create(want.name),
      });
    }
  }
  for (const have of live) {
    if (expectedNames.has(have.name)) continue;
    out.push({
      kind: 'policy_extra',
      table: qualified,
      policy: have.name,
      message: `policy ${have.name} on ${qualified} is not in the model (${have.permissive ? 'permissive' : 'restrictive'}, ${commandName(have.command)}${have.using ? `, USING (${have.using})` : ''}): a permissive one widens what the model allows`,
      fix: `DROP POLICY IF EXISTS ${quoteIdent(have.name)} ON ${qualified};`,
    });
  }
  return out;
}

/**
 * The model's policies as Postgres stores them: created on a temporary copy of the table (in the
 * caller's rolled-back transaction) and read back, so both sides are printed by the same deparser.
 */
async function expectedPolicies(
  db: OrgkitDatabase,
  plan: ModelPlan,
  table: TablePlan,
  qualified: string,
  index: number,
): Promise<PolicyState[]> {
  if (table.policies.length === 0) return [];
  const probe = `pg_temp.${quoteIdent(`orgkit_rls_diff_${index}`)}`;
  await db.execute(sql.raw(`CREATE TEMPORARY TABLE ${probe} (LIKE ${qualified})`));
  for (const policy of table.policies) {
    await db.execute(sql.raw(policySql(policy, probe, plan.role)[1]));
  }
  return readPolicyStates(db, probe);
}

function policyChanges(want: PolicyState, have: PolicyState): string[] {
  const changes: string[] = [];
  if (want.command !== have.command) {
    changes.push(`FOR ${commandName(have.command)}, not ${commandName(want.command)}`);
  }
  if (want.permissive !== have.permissive) {
    changes.push(have.permissive ? 'permissive, not restrictive' : 'restrictive, not permissive');
  }
  if (want.roles.join() !== have.roles.join()) {
    changes.push(`TO ${have.roles.join(', ')}, not ${want.roles.join(', ')}`);
  }
  if (want.using !== have.using) changes.push(`USING (${have.using}), not (${want.using})`);
  if (want.withCheck !== have.withCheck) {
    changes.push(`WITH CHECK (${have.withCheck}), not (${want.withCheck})`);
  }
  return changes;
}

function commandName(command: string): string {
  return { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' }[command] ?? command;
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
