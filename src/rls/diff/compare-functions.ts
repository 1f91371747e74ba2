import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../db/database.js';
import { qualify } from '../identifiers.js';
import type { ModelPlan } from '../plan-model.js';
import { helperStatements } from '../sql-statements.js';
import { readFunctionState } from './catalog.js';
import type { RlsDifference } from './types.js';

/** orgkit's audit trigger functions (migration 0003): executable by no role but their owner. */
const TRIGGER_FUNCTIONS = [
  'orgkit_audit_link',
  'orgkit_audit_refuse_change',
  'orgkit_audit_delete_if_purged',
];

/** The membership helper against the generated one. @internal */
export async function compareHelper(db: OrgkitDatabase, plan: ModelPlan): Promise<RlsDifference[]> {
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

/** orgkit's audit trigger functions: granted to no role. @internal */
export async function compareTriggerFunctions(
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
