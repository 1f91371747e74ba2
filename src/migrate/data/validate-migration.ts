import { type SQL, sql } from 'drizzle-orm';
import * as z from 'zod';
import { type OrgkitDatabase, rowsOf } from '../../db/database.js';
import { createOrgkitTables, type OrgkitTables } from '../../db/tables.js';
import { isOrgkitError, OrgkitError, parseInput } from '../../errors/index.js';
import {
  type ClerkAppDataConfig,
  parseClerkAppDataConfig,
  resolveAppTables,
} from './app-data-config.js';
import { type ClerkIdMapEntry, parseIdMap } from './id-map.js';
import { check, type Findings, tableChecks, tableFindings } from './table-checks.js';
import type { ClerkMigrationCheck, ClerkMigrationReport } from './validation-report.js';

/** Options of {@link validateClerkMigration}. */
export interface ValidateClerkMigrationOptions {
  database: OrgkitDatabase;
  /** Renamed tables from `createOrgkitTables`. @default the default names */
  tables?: OrgkitTables;
  /** The run's id map. */
  idMap: readonly ClerkIdMapEntry[];
  /** Valid records of the export; the map must hold exactly this many users. Unchecked when absent. */
  expectedUserCount?: number;
  /** The app tables the run rewrote; their checks are skipped when absent. */
  config?: ClerkAppDataConfig;
}

const WHAT = 'validateClerkMigration';
const SAMPLE_SIZE = 10;

const optionsSchema = z.looseObject({
  database: z.custom<OrgkitDatabase>(
    (v) => typeof (v as { execute?: unknown } | null)?.execute === 'function',
    'expected a drizzle database',
  ),
  idMap: z.unknown(),
  expectedUserCount: z.number().int().min(0).optional(),
  config: z.unknown().optional(),
});

/** Map entries (as one JSON parameter) whose user fails `condition`, counted, with a sample. */
async function mapEntriesWhere(
  db: OrgkitDatabase,
  map: readonly ClerkIdMapEntry[],
  condition: SQL,
): Promise<{ count: number; sample: string[] }> {
  const entries = JSON.stringify(
    map.map((e) => ({ c: e.clerkUserId, w: e.workosUserId, o: e.organizationId })),
  );
  const rows = rowsOf<{ c: string; total: number }>(
    await db.execute(sql`
      SELECT m.c, count(*) OVER ()::int AS total
      FROM jsonb_to_recordset(${entries}::jsonb) AS m(c text, w text, o text)
      WHERE ${condition} ORDER BY m.c LIMIT ${SAMPLE_SIZE}`),
  );
  return { count: Number(rows[0]?.total ?? 0), sample: rows.map((r) => r.c) };
}

async function usersChecks(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  map: readonly ClerkIdMapEntry[],
): Promise<ClerkMigrationCheck[]> {
  const u = tables.users;
  const m = tables.userOrgMemberships;
  const missing = await mapEntriesWhere(
    db,
    map,
    sql`NOT EXISTS (SELECT 1 FROM ${u} WHERE ${u.workosUserId} = m.w)`,
  );
  const orgless = await mapEntriesWhere(
    db,
    map,
    // The map names each user's organization. The mirror may still be empty (webhooks are paused
    // during an import), but where it knows the user's memberships it must agree with the map.
    // A user the run gave no organization (organizations 'none' or 'mapped') has none to check.
    sql`m.o IS NOT NULL AND EXISTS (SELECT 1 FROM ${m} WHERE ${m.workosUserId} = m.w)
      AND NOT EXISTS (SELECT 1 FROM ${m} WHERE ${m.workosUserId} = m.w
        AND ${m.workosOrgId} = m.o AND ${m.status} = 'active')`,
  );
  return [
    missing.count === 0
      ? check('users_mirrored', true, `all ${map.length} mapped users have a users row`)
      : check('users_mirrored', false, `${missing.count} mapped users have no users row`, {
          users: missing.count,
          sampleClerkUserIds: missing.sample,
        }),
    orgless.count === 0
      ? check(
          'users_have_organization',
          true,
          `all ${map.length} mapped users have their organization, and no mirrored membership says otherwise`,
        )
      : check(
          'users_have_organization',
          false,
          `${orgless.count} mapped users have mirrored memberships, none of them active in their organization`,
          { users: orgless.count, sampleClerkUserIds: orgless.sample },
        ),
  ];
}

/**
 * Checks a finished migration (seed 4.3) and reports every check, passed or failed: the map
 * holds as many users as the export (given `expectedUserCount`), every mapped user has a users
 * row and an organization (the map's, which the membership mirror, where it has the user, must
 * hold as an active membership), and in each configured table every row
 * was rewritten (none pending, no unknown id), has an organization id, references users (the
 * users table), organizations (the map's or the mirror's) and rows that exist (declared foreign keys included, `NOT VALID` ones too), and
 * has no NULL in its required columns. Reads only. Bad options are `invalid_input` /
 * `invalid_config`; the CLI exits non-zero unless `report.ok`.
 *
 * @example
 * ```ts
 * const report = await validateClerkMigration({ database: db, idMap, expectedUserCount: 1999, config })
 * console.log(options.json ? JSON.stringify(report) : formatClerkMigrationReport(report))
 * ```
 */
export async function validateClerkMigration(
  options: ValidateClerkMigrationOptions,
): Promise<ClerkMigrationReport> {
  const parsed = parseInput(optionsSchema, options, WHAT);
  const map = parseIdMap(parsed.idMap, WHAT);
  const config = parsed.config === undefined ? undefined : parseClerkAppDataConfig(parsed.config);
  const db = parsed.database;
  const tables = options.tables ?? createOrgkitTables();
  try {
    const resolved = config ? await resolveAppTables(db, config, WHAT) : [];
    const checks: ClerkMigrationCheck[] = [];
    const expected = parsed.expectedUserCount;
    if (expected !== undefined) {
      checks.push(
        map.length === expected
          ? check(
              'id_map_matches_export',
              true,
              `${expected} users in the export and in the id map`,
            )
          : check(
              'id_map_matches_export',
              false,
              `the export has ${expected} valid users, the id map ${map.length}`,
              {
                expected,
                mapped: map.length,
              },
            ),
      );
    }
    checks.push(...(await usersChecks(db, tables, map)));
    if (config) {
      const found = new Map<string, Findings>();
      for (const t of resolved) found.set(t.label, await tableFindings(db, tables, map, t));
      checks.push(...tableChecks(found, config));
    }
    return { ok: checks.every((c) => c.ok), checks };
  } catch (error) {
    if (isOrgkitError(error)) throw error;
    throw new OrgkitError('internal', `${WHAT}: reading the database failed`, { cause: error });
  }
}
