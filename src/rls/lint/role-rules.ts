import { sql } from 'drizzle-orm';
import { finding, inSchemas, type LintContext, queryRows, quoteName, roleOid } from './context.js';
import type { RlsLintFinding } from './types.js';

interface RoleRow {
  superuser: boolean;
  bypassRls: boolean;
}

/**
 * `request_role_privileged`: the request role is missing, a superuser, has BYPASSRLS, or owns
 * (directly or through membership) a table or view in the checked schemas: each of these
 * skips or can switch off every policy.
 * @internal
 */
export async function lintRequestRole(context: LintContext): Promise<RlsLintFinding[]> {
  const { role } = context;
  const [row] = await queryRows<RoleRow>(
    context.db,
    sql`SELECT rolsuper AS superuser, rolbypassrls AS "bypassRls" FROM pg_roles WHERE rolname = ${role}`,
  );
  const about = { rule: 'request_role_privileged', level: 'error', role } as const;
  if (!row) {
    return [
      finding(
        {
          ...about,
          message: `the request role ${role} does not exist: create it (NOLOGIN NOINHERIT, no BYPASSRLS) and grant it only what the policies need`,
        },
        'missing',
      ),
    ];
  }
  if (row.superuser) {
    return [
      finding(
        {
          ...about,
          message: `the request role ${role} is a superuser, which bypasses row-level security: use a role without SUPERUSER`,
          fix: `ALTER ROLE ${quoteName(role)} NOSUPERUSER;`,
        },
        'superuser',
      ),
    ];
  }
  const found: RlsLintFinding[] = [];
  if (row.bypassRls) {
    found.push(
      finding(
        {
          ...about,
          message: `the request role ${role} has BYPASSRLS, so no policy applies to it: remove it`,
          fix: `ALTER ROLE ${quoteName(role)} NOBYPASSRLS;`,
        },
        'bypassrls',
      ),
    );
  }
  const owned = await queryRows<{ table: string }>(
    context.db,
    sql`SELECT format('%I.%I', n.nspname, c.relname) AS "table"
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm') AND ${inSchemas(context, sql`c.relnamespace`)}
          AND pg_has_role(${roleOid(context)}, c.relowner, 'USAGE')
        ORDER BY 1`,
  );
  for (const { table } of owned) {
    found.push(
      finding(
        {
          ...about,
          table,
          message: `the request role ${role} owns ${table} (or is a member of its owner), so it can switch its row-level security off and, without FORCE, bypasses it: give the table to a migration role`,
          fix: `ALTER TABLE ${table} OWNER TO <migration role>;`,
        },
        'owner',
      ),
    );
  }
  return found;
}
