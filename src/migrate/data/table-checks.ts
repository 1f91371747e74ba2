import { type SQL, sql } from 'drizzle-orm';
import { type OrgkitDatabase, rowsOf } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';
import type { ClerkAppDataConfig, ResolvedAppTable } from './app-data-config.js';
import { brokenForeignKeys } from './foreign-keys.js';
import type { ClerkIdMapEntry } from './id-map.js';
import { col, findUnmapped, stepsFor } from './rewrite-app-data.js';
import type { ClerkMigrationCheck } from './validation-report.js';

/** @internal */
export const check = (
  name: ClerkMigrationCheck['name'],
  ok: boolean,
  summary: string,
  details: Record<string, unknown> = {},
): ClerkMigrationCheck => ({ name, ok, summary, details });

/** @internal */
export async function countRows(db: OrgkitDatabase, query: SQL): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await db.execute(query));
  return Number(row?.n ?? 0);
}

/** What the app-data checks find in one table. @internal */
export async function tableFindings(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  map: readonly ClerkIdMapEntry[],
  t: ResolvedAppTable,
) {
  const entries = JSON.stringify(
    map.map((e) => ({ c: e.clerkUserId, w: e.workosUserId, o: e.organizationId })),
  );
  // A row matched by several steps counts once.
  const pendingByAnyStep = sql.join(
    stepsFor(t).map(
      (step) => sql`EXISTS (SELECT 1 FROM m WHERE ${step.match(t)} AND ${step.needsChange(t)})`,
    ),
    sql` OR `,
  );
  const pending = await countRows(
    db,
    sql`WITH m AS (SELECT * FROM jsonb_to_recordset(${entries}::jsonb) AS m(c text, w text, o text))
      SELECT count(*)::int AS n FROM ${t.ref} t WHERE ${pendingByAnyStep}`,
  );
  const unmapped = await findUnmapped(db, t, map);
  const withoutOrganization = await countRows(
    db,
    sql`SELECT count(*)::int AS n FROM ${t.ref} t WHERE ${col(t.organizationIdColumn)} IS NULL`,
  );
  const userColumn = col(t.workosUserIdColumn ?? t.clerkUserIdColumn);
  const orgColumn = col(t.organizationIdColumn);
  const u = tables.users;
  const o = tables.organizations;
  const missingUsers = await countRows(
    db,
    sql`SELECT count(*)::int AS n FROM ${t.ref} t WHERE ${userColumn} IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${u} WHERE ${u.workosUserId} = ${userColumn})`,
  );
  const missingOrganizations = await countRows(
    db,
    sql`SELECT count(*)::int AS n FROM ${t.ref} t WHERE ${orgColumn} IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${o} WHERE ${o.workosOrgId} = ${orgColumn})
      AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset(${entries}::jsonb) AS m(c text, w text, o text)
        WHERE m.o = ${orgColumn})`,
  );
  const constraints = await brokenForeignKeys(db, t);
  const nulls: Record<string, number> = {};
  for (const column of t.requiredColumns ?? []) {
    const n = await countRows(
      db,
      sql`SELECT count(*)::int AS n FROM ${t.ref} t WHERE ${col(column)} IS NULL`,
    );
    if (n > 0) nulls[column] = n;
  }
  return {
    pending,
    unmapped,
    withoutOrganization,
    missingUsers,
    missingOrganizations,
    constraints,
    nulls,
  };
}

/** @internal */
export type Findings = Awaited<ReturnType<typeof tableFindings>>;

/** The app-data checks over every table's findings; tables with nothing wrong are left out. @internal */
export function tableChecks(
  found: Map<string, Findings>,
  config: ClerkAppDataConfig,
): ClerkMigrationCheck[] {
  const failing = <T>(pick: (f: Findings) => T | undefined) =>
    Object.fromEntries(
      [...found].flatMap(([table, f]) => {
        const value = pick(f);
        return value === undefined ? [] : [[table, value]];
      }),
    );
  const n = found.size;
  const rewritten = failing((f) =>
    f.pending || f.unmapped.rows
      ? { rowsPending: f.pending, unmappedRows: f.unmapped.rows, sampleIds: f.unmapped.sampleIds }
      : undefined,
  );
  const orgless = failing((f) => f.withoutOrganization || undefined);
  const keys = failing((f) =>
    f.missingUsers || f.missingOrganizations || f.constraints.length
      ? {
          rowsWithUnknownUser: f.missingUsers,
          rowsWithUnknownOrganization: f.missingOrganizations,
          brokenConstraints: f.constraints,
        }
      : undefined,
  );
  const nulls = failing((f) => (Object.keys(f.nulls).length ? f.nulls : undefined));
  const summary = (failed: Record<string, unknown>, good: string, bad: string) =>
    Object.keys(failed).length === 0 ? good : `${bad} in ${Object.keys(failed).join(', ')}`;
  const checks = [
    check(
      'rows_rewritten',
      Object.keys(rewritten).length === 0,
      summary(
        rewritten,
        `every row of ${n} tables names its WorkOS user`,
        'rows still to rewrite or with unknown ids',
      ),
      rewritten,
    ),
    check(
      'rows_have_organization',
      Object.keys(orgless).length === 0,
      summary(
        orgless,
        `every row of ${n} tables has an organization id`,
        'rows without an organization id',
      ),
      orgless,
    ),
    check(
      'foreign_keys',
      Object.keys(keys).length === 0,
      summary(
        keys,
        `every reference of ${n} tables resolves`,
        'rows referencing missing users, organizations or rows',
      ),
      keys,
    ),
  ];
  if (config.tables.some((t) => t.requiredColumns?.length)) {
    checks.push(
      check(
        'required_columns',
        Object.keys(nulls).length === 0,
        summary(nulls, 'no NULL in a required column', 'NULL in required columns'),
        nulls,
      ),
    );
  }
  return checks;
}
