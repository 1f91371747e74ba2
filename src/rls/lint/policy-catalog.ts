import { sql } from 'drizzle-orm';
import { inSchemas, type LintContext, queryRows, roleOid } from './context.js';

/** A policy as the rules read it. @internal */
export interface PolicyRow {
  table: string;
  /** The relation's own name, as the deparser qualifies the row's columns inside sub-selects. */
  relname: string;
  policy: string;
  /** The policy's name as SQL needs it (`quote_ident`: quoted when reserved or mixed case). */
  quotedPolicy: string;
  /** `r` SELECT, `a` INSERT, `w` UPDATE, `d` DELETE, `*` ALL. */
  command: 'r' | 'a' | 'w' | 'd' | '*';
  permissive: boolean;
  /** The roles it applies to, as SQL names them (`PUBLIC`, `authenticated`, `"Mixed"`), sorted. */
  roles: string[];
  toPublic: boolean;
  /** The policy applies to the request role: TO PUBLIC, the role, or a role it is a member of. */
  appliesToRole: boolean;
  using: string | null;
  withCheck: string | null;
  /** The table's columns, and those leading some valid index. */
  columns: string[];
  /** `columns`, each as SQL needs it, in the same order. */
  quotedColumns: string[];
  indexedColumns: string[];
}

/**
 * Every policy on a table in the checked schemas, its expressions deparsed. The caller runs this
 * with an empty search path, so the deparser schema-qualifies every function it prints.
 * @internal
 */
export function readPolicies(context: LintContext): Promise<PolicyRow[]> {
  return queryRows<PolicyRow>(
    context.db,
    sql`SELECT format('%I.%I', n.nspname, c.relname) AS "table", c.relname::text AS relname,
          p.polname::text AS policy, quote_ident(p.polname) AS "quotedPolicy", p.polcmd::text AS command, p.polpermissive AS permissive,
          coalesce((SELECT array_agg(CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE r.oid::regrole::text END ORDER BY 1)
            FROM unnest(p.polroles) AS r(oid)), '{}') AS roles,
          0::oid = ANY (p.polroles) AS "toPublic",
          (0::oid = ANY (p.polroles) OR EXISTS (
            SELECT 1 FROM unnest(p.polroles) AS r(oid)
            WHERE coalesce(pg_has_role(${roleOid(context)}, r.oid, 'MEMBER'), false))) AS "appliesToRole",
          pg_get_expr(p.polqual, p.polrelid) AS using,
          pg_get_expr(p.polwithcheck, p.polrelid) AS "withCheck",
          coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '{}') AS columns,
          coalesce((SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) FROM pg_attribute a
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '{}') AS "quotedColumns",
          coalesce((SELECT array_agg(DISTINCT a.attname::text) FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = c.oid AND i.indisvalid), '{}') AS "indexedColumns"
        FROM pg_policy p
        JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${inSchemas(context, sql`c.relnamespace`)}
        ORDER BY 1, 3`,
  );
}
