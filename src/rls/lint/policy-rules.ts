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
