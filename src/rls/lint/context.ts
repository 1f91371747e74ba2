import { type SQL, sql } from 'drizzle-orm';
import { type OrgkitDatabase, rowsOf } from '../../db/database.js';
import type { RlsLintFinding } from './types.js';

/** What every rule's query needs: the database, the request role, and the schemas. @internal */
export interface LintContext {
  db: OrgkitDatabase;
  role: string;
  schemas: string[];
}

/** Runs a catalog query and returns its rows. @internal */
export async function queryRows<T>(db: OrgkitDatabase, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

/**
 * `true` for a namespace oid in the checked schemas. The list travels as one JSON parameter,
 * which every driver sends the same way (array parameters differ between drivers).
 * @internal
 */
export function inSchemas(context: LintContext, namespaceOid: SQL): SQL {
  return sql`${namespaceOid} IN (SELECT n.oid FROM pg_namespace n WHERE n.nspname IN (SELECT jsonb_array_elements_text(${JSON.stringify(context.schemas)}::jsonb)))`;
}

/** The request role's oid, NULL when it does not exist (pg_has_role on NULL is NULL, not an error). @internal */
export function roleOid(context: LintContext): SQL {
  return sql`(SELECT r.oid FROM pg_roles r WHERE r.rolname = ${context.role})`;
}

/** Tables created by an extension (PostGIS's spatial_ref_sys, say) are not the app's to fix. @internal */
export function notFromExtension(classOid: SQL): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = ${classOid} AND d.deptype = 'e')`;
}

/** A finding with its cache key: the rule and the names it is about, like splinter's `cache_key`. @internal */
export function finding(
  fields: Omit<RlsLintFinding, 'cacheKey'>,
  ...keyParts: string[]
): RlsLintFinding {
  const parts = [fields.rule, fields.role, fields.table, fields.policy, ...keyParts];
  return { ...fields, cacheKey: parts.filter((part) => part !== undefined).join('_') };
}

/** A role or other name as SQL needs it in a suggested fix. @internal */
export function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
