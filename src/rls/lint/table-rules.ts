import { sql } from 'drizzle-orm';
import { finding, inSchemas, type LintContext, notFromExtension, queryRows } from './context.js';
import type { RlsLintFinding } from './types.js';

interface TableRow {
  table: string;
  rls: boolean;
  forced: boolean;
  policies: string[];
}

/** `rls_disabled`, `policy_exists_rls_disabled`, `rls_not_forced`, `rls_enabled_no_policy`. @internal */
export async function lintTables(context: LintContext): Promise<RlsLintFinding[]> {
  const rows = await queryRows<TableRow>(
    context.db,
    sql`SELECT format('%I.%I', n.nspname, c.relname) AS "table",
          c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
          coalesce((SELECT array_agg(p.polname::text ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = c.oid), '{}') AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND ${inSchemas(context, sql`c.relnamespace`)}
          AND ${notFromExtension(sql`c.oid`)}
        ORDER BY 1`,
  );
  return rows.flatMap((row) => tableFindings(row));
}

function tableFindings({ table, rls, forced, policies }: TableRow): RlsLintFinding[] {
  const enable = `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`;
  if (!rls && policies.length > 0) {
    return [
      finding({
        rule: 'policy_exists_rls_disabled',
        level: 'error',
        table,
        message: `${table} has policies (${policies.join(', ')}) but row-level security is off, so they are ignored and every row is visible: enable and force it`,
        fix: enable,
      }),
    ];
  }
  if (!rls) {
    return [
      finding({
        rule: 'rls_disabled',
        level: 'error',
        table,
        message: `${table} has row-level security off: any role granted access reads every row. Enable and force it (with no policy the request role sees nothing)`,
        fix: enable,
      }),
    ];
  }
  const found: RlsLintFinding[] = [];
  if (!forced) {
    found.push(
      finding({
        rule: 'rls_not_forced',
        level: 'error',
        table,
        message: `${table} enables row-level security without FORCE, so its owner (often the app's own connection) bypasses every policy: force it`,
        fix: `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`,
      }),
    );
  }
  if (policies.length === 0) {
    found.push(
      finding({
        rule: 'rls_enabled_no_policy',
        // Info, as in Supabase's splinter: no policy denies the request role everything, which
        // is how orgkit locks its internal tables; a forgotten policy shows up as empty reads.
        level: 'info',
        table,
        message: `${table} has row-level security on and no policy, so the request role sees no rows: fine for an internal table, otherwise add policies`,
      }),
    );
  }
  return found;
}
