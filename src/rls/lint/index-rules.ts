import { findComparedColumns } from './compared-columns.js';
import { finding } from './context.js';
import type { PolicyRow } from './policy-catalog.js';
import type { RlsLintFinding } from './types.js';

/**
 * `unindexed_policy_column`: a column a policy compares that leads no index, so every query
 * under the policy scans the table. One finding per table and column, naming the policies.
 * @internal
 */
export function lintUnindexedColumns(policies: PolicyRow[]): RlsLintFinding[] {
  const missing = new Map<
    string,
    { table: string; column: string; quoted: string; policies: string[] }
  >();
  for (const policy of policies) {
    const expressions = [policy.using, policy.withCheck].filter((t): t is string => t !== null);
    const compared = new Set(
      expressions.flatMap((text) => findComparedColumns(text, policy.columns)),
    );
    for (const column of compared) {
      if (policy.indexedColumns.includes(column)) continue;
      const key = JSON.stringify([policy.table, column]);
      const quoted = policy.quotedColumns[policy.columns.indexOf(column)] ?? column;
      const entry = missing.get(key) ?? { table: policy.table, column, quoted, policies: [] };
      entry.policies.push(policy.policy);
      missing.set(key, entry);
    }
  }
  return [...missing.values()].map(({ table, column, quoted, policies }) =>
    finding(
      {
        rule: 'unindexed_policy_column',
        level: 'warning',
        table,
        message: `${table}.${column} is compared by ${policies.length === 1 ? 'policy' : 'policies'} ${policies.join(', ')} but leads no index, so each query under the policy scans the table: index it (leading with the organization column when there are several)`,
        fix: `CREATE INDEX ON ${table} (${quoted});`,
      },
      column,
    ),
  );
}
