import { sql } from 'drizzle-orm';
import { finding, inSchemas, type LintContext, queryRows, quoteName } from './context.js';
import type { RlsLintFinding } from './types.js';

/**
 * The roles requests without a token run as: Supabase's `anon`, and the `anonymous` role of
 * Neon's WorkOS guide. Checked when they exist.
 */
export const ANONYMOUS_ROLES = ['anon', 'anonymous'] as const;

interface DefinerRow {
  /** `schema.name(argument types)`, quoted where SQL needs it. */
  signature: string;
  schema: string;
  trigger: boolean;
  /** Some policy's expression calls it (pg_depend records the calls of policy expressions). */
  policyCalls: boolean;
  pinnedPath: boolean;
  /** PUBLIC may execute it: no ACL at all (the default) or an entry for PUBLIC. */
  publicExecutes: boolean;
  /** Of the anonymous roles and the request role, those granted EXECUTE by name (PUBLIC's grant aside). */
  executors: string[];
}

function readDefiners(context: LintContext): Promise<DefinerRow[]> {
  const watched = JSON.stringify([...ANONYMOUS_ROLES, context.role]);
  return queryRows<DefinerRow>(
    context.db,
    sql`SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS signature,
          n.nspname::text AS schema,
          p.prorettype = 'trigger'::regtype AS trigger,
          EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_policy'::regclass
            AND d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid) AS "policyCalls",
          EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) AS c(setting)
            WHERE c.setting LIKE 'search_path=%') AS "pinnedPath",
          (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
            WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')) AS "publicExecutes",
          coalesce((SELECT array_agg(DISTINCT r.rolname::text ORDER BY r.rolname::text)
            FROM aclexplode(p.proacl) a JOIN pg_roles r ON r.oid = a.grantee
            WHERE a.privilege_type = 'EXECUTE'
              AND r.rolname IN (SELECT jsonb_array_elements_text(${watched}::jsonb))), '{}') AS executors
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prosecdef AND ${inSchemas(context, sql`p.pronamespace`)}
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
            AND d.objid = p.oid AND d.deptype = 'e')
        ORDER BY 1`,
  );
}

/**
 * `security_definer_executable` and `security_definer_search_path`. A SECURITY DEFINER function
 * runs as its owner, past every policy, so it must be executable only by who needs it: a
 * trigger function by nobody (triggers fire without EXECUTE), a policy's helper by the request
 * role alone, anything else by no API role; and it must not resolve names through a
 * search_path the caller chose.
 * @internal
 */
export async function lintFunctions(context: LintContext): Promise<RlsLintFinding[]> {
  const found: RlsLintFinding[] = [];
  for (const row of await readDefiners(context)) {
    const executable = executableFinding(row, context.role);
    if (executable) found.push(executable);
    if (!row.pinnedPath) {
      found.push(
        finding(
          {
            rule: 'security_definer_search_path',
            level: 'error',
            function: row.signature,
            message: `SECURITY DEFINER function ${row.signature} has no search_path of its own, so it resolves names through the caller's (a caller can put a table or function of theirs first and have it run as the owner): pin it`,
            fix: `ALTER FUNCTION ${row.signature} SET search_path = ${quoteName(row.schema)}, pg_temp;`,
          },
          row.signature,
        ),
      );
    }
  }
  return found;
}

function executableFinding(row: DefinerRow, role: string): RlsLintFinding | undefined {
  const anonymous = row.executors.filter((name) => name !== role);
  const byRole = row.executors.includes(role);
  // A policy's helper must stay executable by the request role (the policy calls it as that role).
  const needed = row.policyCalls && !row.trigger;
  const offenders = [
    ...(row.publicExecutes ? ['PUBLIC'] : []),
    ...anonymous,
    ...(byRole && !needed ? [role] : []),
  ];
  if (offenders.length === 0) return undefined;
  const who = offenders.join(', ');
  const revoke = `REVOKE ALL ON FUNCTION ${row.signature} FROM ${offenders.map((o) => (o === 'PUBLIC' ? o : quoteName(o))).join(', ')};`;
  const why = row.trigger
    ? 'a trigger function, which fires without EXECUTE, so no role needs it'
    : needed
      ? `called by policies, which need only the request role ${role} to execute it`
      : 'called by no policy, so no API role needs it';
  return finding(
    {
      rule: 'security_definer_executable',
      level: needed ? 'warning' : 'error',
      function: row.signature,
      message: `SECURITY DEFINER function ${row.signature} runs as its owner past every policy and is executable by ${who} (callable through /rest/v1/rpc on Supabase); it is ${why}: revoke it`,
      fix: needed
        ? `${revoke} GRANT EXECUTE ON FUNCTION ${row.signature} TO ${quoteName(role)};`
        : revoke,
    },
    row.signature,
  );
}
