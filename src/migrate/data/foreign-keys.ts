import { type SQL, sql } from 'drizzle-orm';
import { type OrgkitDatabase, rowsOf } from '../../db/database.js';
import type { ResolvedAppTable } from './app-data-config.js';

interface ForeignKey {
  name: string;
  childSchema: string;
  childTable: string;
  childColumns: string[];
  parentSchema: string;
  parentTable: string;
  parentColumns: string[];
}

const qualified = (schema: string, table: string): SQL =>
  sql`${sql.identifier(schema)}.${sql.identifier(table)}`;

/** The foreign keys declared on a table, with their columns in key order. */
async function foreignKeysOf(db: OrgkitDatabase, t: ResolvedAppTable): Promise<ForeignKey[]> {
  const columnsOf = (rel: SQL, keys: SQL) => sql`(
    SELECT json_agg(a.attname ORDER BY k.i)::text FROM unnest(${keys}) WITH ORDINALITY k(n, i)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.n)`;
  const rows = rowsOf<{
    name: string;
    child_schema: string;
    child_table: string;
    child_columns: string;
    parent_schema: string;
    parent_table: string;
    parent_columns: string;
  }>(
    await db.execute(sql`
      SELECT con.conname AS name,
        cn.nspname AS child_schema, cc.relname AS child_table,
        ${columnsOf(sql`con.conrelid`, sql`con.conkey`)} AS child_columns,
        pn.nspname AS parent_schema, pc.relname AS parent_table,
        ${columnsOf(sql`con.confrelid`, sql`con.confkey`)} AS parent_columns
      FROM pg_catalog.pg_constraint con
      JOIN pg_catalog.pg_class cc ON cc.oid = con.conrelid
      JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
      JOIN pg_catalog.pg_class pc ON pc.oid = con.confrelid
      JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
      WHERE con.contype = 'f' AND con.conrelid = to_regclass(${t.regclass})
      ORDER BY con.conname`),
  );
  return rows.map((r) => ({
    name: r.name,
    childSchema: r.child_schema,
    childTable: r.child_table,
    childColumns: JSON.parse(r.child_columns) as string[],
    parentSchema: r.parent_schema,
    parentTable: r.parent_table,
    parentColumns: JSON.parse(r.parent_columns) as string[],
  }));
}

/**
 * Rows breaking each foreign key declared on the table. A valid constraint normally makes this
 * 0, but `NOT VALID` constraints and loads with triggers disabled leave orphans behind; MATCH
 * SIMPLE is assumed (a row with a NULL key column is not checked, as Postgres does).
 * @internal
 */
export async function brokenForeignKeys(
  db: OrgkitDatabase,
  t: ResolvedAppTable,
): Promise<{ constraint: string; rows: number }[]> {
  const broken: { constraint: string; rows: number }[] = [];
  for (const fk of await foreignKeysOf(db, t)) {
    const child = qualified(fk.childSchema, fk.childTable);
    const parent = qualified(fk.parentSchema, fk.parentTable);
    const present = sql.join(
      fk.childColumns.map((c) => sql`c.${sql.identifier(c)} IS NOT NULL`),
      sql` AND `,
    );
    const joined = sql.join(
      fk.childColumns.map(
        (c, i) => sql`p.${sql.identifier(fk.parentColumns[i]!)} = c.${sql.identifier(c)}`,
      ),
      sql` AND `,
    );
    const [row] = rowsOf<{ n: number }>(
      await db.execute(sql`
        SELECT count(*)::int AS n FROM ${child} c
        WHERE ${present} AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE ${joined})`),
    );
    const rows = Number(row?.n ?? 0);
    if (rows > 0) broken.push({ constraint: fk.name, rows });
  }
  return broken;
}
