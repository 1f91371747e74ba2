import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../db/database.js';
import { qualify, quoteIdent } from '../identifiers.js';
import type { ModelPlan } from '../plan-model.js';
import type { TablePlan } from '../policies.js';
import { policySql, tableAccessStatements } from '../sql-statements.js';
import { type PolicyState, readPolicyStates, readTableState } from './catalog.js';
import type { RlsDifference } from './types.js';

const PRIVILEGE = { select: 'SELECT', insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' };

/** One table of the model: RLS flags, grants and policies. @internal */
export async function compareTable(
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
