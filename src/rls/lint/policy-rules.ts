import { isAlwaysTrue } from './always-true.js';
import { findClaimCalls, wrapClaimCalls } from './claim-calls.js';
import { finding, quoteName } from './context.js';
import type { PolicyRow } from './policy-catalog.js';
import type { RlsLintFinding } from './types.js';

function expressions(policy: PolicyRow): string[] {
  return [policy.using, policy.withCheck].filter((text): text is string => text !== null);
}

/** `auth_call_not_wrapped` and `uid_cast_on_text_id`. @internal */
export function lintClaimCalls(policy: PolicyRow): RlsLintFinding[] {
  const { table, policy: name } = policy;
  const calls = expressions(policy).flatMap((text) => findClaimCalls(text, policy.relname));
  const found: RlsLintFinding[] = [];
  const perRow = [
    ...new Set(calls.filter((call) => call.placement !== 'hoisted').map((call) => call.name)),
  ];
  if (perRow.length > 0) {
    const correlated = calls.some((call) => call.placement === 'correlated');
    found.push(
      finding({
        rule: 'auth_call_not_wrapped',
        level: 'warning',
        table,
        policy: name,
        message: `policy ${name} on ${table} calls ${perRow.join(', ')} ${correlated ? 'inside a sub-select that also reads the row' : 'outside a sub-select'}, so Postgres evaluates it for every row (hundreds of times slower on large tables): wrap only the call, as in (select auth.user_id()) = user_id`,
        ...(correlated ? {} : { fix: wrappedPolicy(policy) }),
      }),
    );
  }
  if (calls.some((call) => call.name === 'auth.uid()')) {
    found.push(
      finding({
        rule: 'uid_cast_on_text_id',
        level: 'error',
        table,
        policy: name,
        message: `policy ${name} on ${table} uses auth.uid(), which casts the subject to uuid: WorkOS user ids are text (user_…), so it fails or matches nothing. Read the text claim instead: (select auth.jwt()->>'sub') or (select auth.user_id())`,
        fix: "replace auth.uid() with (select auth.jwt()->>'sub')",
      }),
    );
  }
  return found;
}

// The policy again with its claim reads wrapped, as one ALTER POLICY.
function wrappedPolicy(policy: PolicyRow): string {
  const clauses = [
    policy.using === null ? '' : ` USING (${wrapClaimCalls(policy.using, policy.relname)})`,
    policy.withCheck === null
      ? ''
      : ` WITH CHECK (${wrapClaimCalls(policy.withCheck, policy.relname)})`,
  ];
  return `ALTER POLICY ${policy.quotedPolicy} ON ${policy.table}${clauses.join('')};`;
}

/** `policy_always_true` (permissive policies the request role gets) and `policy_to_public`. @internal */
export function lintPolicyShape(policy: PolicyRow, role: string): RlsLintFinding[] {
  const { table, policy: name, command } = policy;
  const found: RlsLintFinding[] = [];
  const open: string[] = [];
  if (isAlwaysTrue(policy.using)) open.push('a USING that is always true');
  if (isAlwaysTrue(policy.withCheck)) open.push('a WITH CHECK that is always true');
  if (command === 'a' && policy.withCheck === null) open.push('an INSERT without WITH CHECK');
  if (open.length > 0 && policy.permissive && policy.appliesToRole) {
    found.push(
      finding({
        rule: 'policy_always_true',
        level: 'error',
        table,
        policy: name,
        message: `policy ${name} on ${table} has ${open.join(' and ')}, so it admits every row for the request role: scope it to the row's organization or user`,
      }),
    );
  }
  if (policy.toPublic) {
    found.push(
      finding({
        rule: 'policy_to_public',
        level: 'warning',
        table,
        policy: name,
        message: `policy ${name} on ${table} applies to PUBLIC (every role, anonymous ones included): name the request role with TO ${quoteName(role)}`,
        fix: `ALTER POLICY ${policy.quotedPolicy} ON ${table} TO ${quoteName(role)};`,
      }),
    );
  }
  return found;
}

/** `update_without_select_policy`: an UPDATE the role cannot see rows for matches nothing. @internal */
export function lintUpdateWithoutSelect(policies: PolicyRow[]): RlsLintFinding[] {
  const granted = policies.filter((policy) => policy.permissive && policy.appliesToRole);
  const readable = new Set(
    granted
      .filter((policy) => policy.command === 'r' || policy.command === '*')
      .map((p) => p.table),
  );
  return granted
    .filter((policy) => policy.command === 'w' && !readable.has(policy.table))
    .map(({ table, policy }) =>
      finding({
        rule: 'update_without_select_policy',
        level: 'warning',
        table,
        policy,
        message: `policy ${policy} on ${table} allows UPDATE but no SELECT policy applies to the request role, so an UPDATE with a WHERE clause (or RETURNING) finds no rows: add a SELECT policy with the same USING`,
      }),
    );
}

const COMMANDS = { r: ['SELECT'], a: ['INSERT'], w: ['UPDATE'], d: ['DELETE'] } as const;
const ALL_COMMANDS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

/**
 * `multiple_permissive_policies` (info): two or more permissive policies of a table apply to the
 * request role for one command. Postgres ORs them, which is correct; Supabase's advisor flags it
 * as slower (each policy runs for every row it checks). The fix merges them into the first.
 * @internal
 */
export function lintMultiplePermissive(policies: PolicyRow[]): RlsLintFinding[] {
  const groups = new Map<string, { table: string; command: string; policies: PolicyRow[] }>();
  for (const policy of policies) {
    if (!policy.permissive || !policy.appliesToRole) continue;
    const commands = policy.command === '*' ? ALL_COMMANDS : COMMANDS[policy.command];
    for (const command of commands) {
      const key = JSON.stringify([policy.table, command]);
      const group = groups.get(key) ?? { table: policy.table, command, policies: [] };
      group.policies.push(policy);
      groups.set(key, group);
    }
  }
  return [...groups.values()]
    .filter((group) => group.policies.length > 1)
    .map(({ table, command, policies: group }) => {
      const names = group.map((p) => p.policy).join(', ');
      const fix = mergedPolicies(group);
      return finding(
        {
          rule: 'multiple_permissive_policies',
          level: 'info',
          table,
          message: `${table} has ${group.length} permissive ${command} policies for the request role (${names}); Postgres ORs them, and each runs for every row it checks: one policy with the conditions ORed is as strict and can plan better`,
          ...(fix ? { fix } : {}),
        },
        command,
      );
    });
}

// One policy with the others' conditions ORed in, when they are the same command for the same
// roles (else the merge would widen one of them): the rest dropped, all in one transaction.
function mergedPolicies(group: PolicyRow[]): string | undefined {
  const [first, ...rest] = group;
  if (!first) return undefined;
  const same = group.every(
    (p) => p.command === first.command && p.roles.join() === first.roles.join(),
  );
  if (!same) return undefined;
  const or = (texts: (string | null)[]): string | undefined | null => {
    if (texts.every((t) => t === null)) return undefined;
    if (texts.some((t) => t === null)) return null;
    return texts.map((t) => `(${t})`).join(' OR ');
  };
  const using = or(group.map((p) => p.using));
  const withCheck = or(group.map((p) => p.withCheck));
  if (using === null || withCheck === null) return undefined;
  const clauses = `${using === undefined ? '' : ` USING (${using})`}${withCheck === undefined ? '' : ` WITH CHECK (${withCheck})`}`;
  return [
    'BEGIN;',
    ...rest.map((p) => `DROP POLICY ${p.quotedPolicy} ON ${p.table};`),
    `ALTER POLICY ${first.quotedPolicy} ON ${first.table}${clauses};`,
    'COMMIT;',
  ].join(' ');
}
