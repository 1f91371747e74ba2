import { sql } from 'drizzle-orm';
import {
  finding,
  inSchemas,
  type LintContext,
  notFromExtension,
  queryRows,
  roleOid,
} from './context.js';
import type { RlsLintFinding } from './types.js';

interface ViewRow {
  table: string;
  options: string[];
  /** NULL when the request role does not exist. */
  readable: boolean | null;
}

const TRUE_VALUES = new Set(['true', 'on', 'yes', '1', 't', 'y']);

function invokesAsCaller(options: string[]): boolean {
  const setting = options.find((option) => option.toLowerCase().startsWith('security_invoker='));
  return (
    setting !== undefined && TRUE_VALUES.has(setting.slice(setting.indexOf('=') + 1).toLowerCase())
  );
}

/**
 * `view_without_security_invoker`: a view reads its tables as the view's owner, past their
 * policies, unless `security_invoker` is set. An error when the request role may select from it.
 * @internal
 */
export async function lintViews(context: LintContext): Promise<RlsLintFinding[]> {
  const rows = await queryRows<ViewRow>(
    context.db,
    sql`SELECT format('%I.%I', n.nspname, c.relname) AS "table", coalesce(c.reloptions, '{}') AS options,
          has_table_privilege(${roleOid(context)}, c.oid, 'SELECT') AS readable
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v' AND ${inSchemas(context, sql`c.relnamespace`)} AND ${notFromExtension(sql`c.oid`)}
        ORDER BY 1`,
  );
  return rows
    .filter((row) => !invokesAsCaller(row.options))
    .map(({ table, readable }) =>
      finding({
        rule: 'view_without_security_invoker',
        level: readable === false ? 'warning' : 'error',
        table,
        message: `view ${table} runs as its owner, so it reads the underlying tables past their row-level security${readable === false ? ' (the request role cannot select from it today)' : ''}: set security_invoker`,
        fix: `ALTER VIEW ${table} SET (security_invoker = true);`,
      }),
    );
}
