import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../db/database.js';
import { queryRows } from '../lint/context.js';

/** A policy as the diff compares it (expressions deparsed with an empty search path). @internal */
export interface PolicyState {
  name: string;
  command: string;
  permissive: boolean;
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

/** A table's row-level-security state. @internal */
export interface TableState {
  exists: boolean;
  rls: boolean;
  forced: boolean;
  /** Privileges per grantee name (`PUBLIC` for PUBLIC), from the table's ACL. */
  grants: Record<string, string[]>;
}

/** The policies on `relation` (an oid expression or a regclass literal). @internal */
export function readPolicyStates(db: OrgkitDatabase, relation: string): Promise<PolicyState[]> {
  return queryRows<PolicyState>(
    db,
    sql`SELECT p.polname::text AS name, p.polcmd::text AS command, p.polpermissive AS permissive,
          coalesce((SELECT array_agg(CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE r.oid::regrole::text END ORDER BY 1)
            FROM unnest(p.polroles) AS r(oid)), '{}') AS roles,
          pg_get_expr(p.polqual, p.polrelid) AS using,
          pg_get_expr(p.polwithcheck, p.polrelid) AS "withCheck"
        FROM pg_policy p WHERE p.polrelid = ${relation}::regclass ORDER BY 1`,
  );
}

/** RLS flags and table-level grants of `table` (qualified and quoted). @internal */
export async function readTableState(db: OrgkitDatabase, table: string): Promise<TableState> {
  const [row] = await queryRows<{ rls: boolean; forced: boolean; grants: [string, string][] }>(
    db,
    sql`SELECT c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
          coalesce((SELECT jsonb_agg(jsonb_build_array(
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, a.privilege_type))
            FROM aclexplode(c.relacl) a WHERE a.grantee <> c.relowner), '[]'::jsonb) AS grants
        FROM pg_class c WHERE c.oid = to_regclass(${table})`,
  );
  if (!row) return { exists: false, rls: false, forced: false, grants: {} };
  const grants: Record<string, string[]> = {};
  for (const [grantee, privilege] of row.grants) {
    grants[grantee] = [...(grants[grantee] ?? []), privilege];
  }
  return { exists: true, rls: row.rls, forced: row.forced, grants };
}

/** A function as the diff compares it. @internal */
export interface FunctionState {
  body: string;
  definer: boolean;
  volatility: string;
  returns: string;
  config: string[];
  /** Roles other than the owner that may execute it by a grant (`PUBLIC` with no ACL at all). */
  executors: string[];
}

/** `signature` (`"schema"."name"()`) as it stands, or undefined when it does not exist. @internal */
export async function readFunctionState(
  db: OrgkitDatabase,
  signature: string,
): Promise<FunctionState | undefined> {
  const [row] = await queryRows<FunctionState>(
    db,
    sql`SELECT p.prosrc AS body, p.prosecdef AS definer, p.provolatile::text AS volatility,
          format_type(p.prorettype, NULL) AS returns, coalesce(p.proconfig, '{}') AS config,
          CASE WHEN p.proacl IS NULL THEN ARRAY['PUBLIC'] ELSE coalesce((SELECT array_agg(DISTINCT
            CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END)
            FROM aclexplode(p.proacl) a WHERE a.grantee <> p.proowner AND a.privilege_type = 'EXECUTE'), '{}') END AS executors
        FROM pg_proc p WHERE p.oid = to_regprocedure(${signature})`,
  );
  return row;
}

/** Whether a role exists. @internal */
export async function roleExists(db: OrgkitDatabase, role: string): Promise<boolean> {
  const rows = await queryRows(db, sql`SELECT 1 FROM pg_roles WHERE rolname = ${role}`);
  return rows.length > 0;
}
