import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../../src/db/database.js';
import { isOrgkitError } from '../../../src/errors/index.js';
import {
  CLERK_MIGRATION_CHECKS,
  type ClerkMigrationReport,
  formatClerkMigrationReport,
  rewriteClerkAppData,
  validateClerkMigration,
} from '../../../src/migrate/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../../support/databases.js';
import { createSeedAppTables, mapEntry, SEED_APP_CONFIG } from './support.js';

const map = [1, 2, 3].map(mapEntry);
const [a, b] = map as [(typeof map)[0], (typeof map)[0]];

/** A finished migration: mirrored users, organizations and memberships, app rows rewritten. */
async function finishedMigration(db: OrgkitDatabase) {
  await createSeedAppTables(db);
  for (const e of map) {
    await db.execute(
      sql`INSERT INTO users (workos_user_id, email) VALUES (${e.workosUserId}, ${`${e.workosUserId}@example.test`})`,
    );
    await db.execute(
      sql`INSERT INTO organizations (workos_org_id, name) VALUES (${e.organizationId}, 'Personal')`,
    );
    await db.execute(sql`
      INSERT INTO user_org_memberships (workos_membership_id, workos_user_id, workos_org_id, role)
      VALUES (${`om_${e.workosUserId}`}, ${e.workosUserId}, ${e.organizationId}, 'owner')`);
    await db.execute(sql`INSERT INTO events (clerk_user_id, title) VALUES (${e.clerkUserId}, 'x')`);
    await db.execute(
      sql`INSERT INTO schedules (clerk_user_id, timezone) VALUES (${e.clerkUserId}, 'UTC')`,
    );
  }
  await db.execute(
    sql`INSERT INTO meetings (event_id, clerk_user_id) VALUES (1, ${a.clerkUserId}), (2, ${b.clerkUserId})`,
  );
  await rewriteClerkAppData({ database: db, config: SEED_APP_CONFIG, idMap: map });
}

const validate = (db: OrgkitDatabase, expectedUserCount = map.length) =>
  validateClerkMigration({ database: db, idMap: map, expectedUserCount, config: SEED_APP_CONFIG });

const failing = (report: ClerkMigrationReport) =>
  report.checks.filter((c) => !c.ok).map((c) => c.name);

describe.each(DATABASE_TARGETS)('validateClerkMigration on $name', (target) => {
  it('passes every check on a finished migration, and says so as text and JSON', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      await finishedMigration(db);
      const report = await validate(db);
      expect(report.checks.map((c) => c.name)).toEqual([...CLERK_MIGRATION_CHECKS]);
      expect(failing(report)).toEqual([]);
      expect(report.ok).toBe(true);
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);
      const text = formatClerkMigrationReport(report);
      expect(text).toMatch(/^Clerk migration validation: passed\n/);
      expect(text).not.toMatch(/FAIL/);
      // Without an expected count or a config, only what can be checked is reported.
      const bare = await validateClerkMigration({ database: db, idMap: map });
      expect(bare.checks.map((c) => c.name)).toEqual(['users_mirrored', 'users_have_organization']);
    } finally {
      await close();
    }
  });

  it('passes with an empty mirror (webhooks paused during the import): the map gives the organizations', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      await finishedMigration(db);
      await db.execute(sql`DELETE FROM user_org_memberships`);
      await db.execute(sql`DELETE FROM organizations`);
      const report = await validate(db);
      expect(failing(report)).toEqual([]);
    } finally {
      await close();
    }
  });

  // Each case breaks one thing and must fail exactly the check meant to catch it.
  const breakages: [
    string,
    (db: OrgkitDatabase) => Promise<unknown>,
    Record<string, unknown>,
    number?,
  ][] = [
    ['id_map_matches_export', async () => undefined, { expected: 4, mapped: 3 }, 4],
    [
      'users_mirrored',
      // The user's own rows go too, or they would also be references to no user.
      async (db) => {
        const gone = map[2]!.workosUserId;
        await db.execute(sql`DELETE FROM users WHERE workos_user_id = ${gone}`);
        await db.execute(sql`DELETE FROM events WHERE clerk_user_id = ${gone}`);
        await db.execute(sql`DELETE FROM schedules WHERE clerk_user_id = ${gone}`);
      },
      { users: 1, sampleClerkUserIds: [map[2]!.clerkUserId] },
    ],
    [
      'users_have_organization',
      (db) =>
        db.execute(
          sql`UPDATE user_org_memberships SET status = 'inactive' WHERE workos_user_id = ${b.workosUserId}`,
        ),
      { users: 1, sampleClerkUserIds: [b.clerkUserId] },
    ],
    [
      'rows_rewritten',
      // The WorkOS id is right but the organization is another (existing) one: still to rewrite.
      (db) => db.execute(sql`UPDATE meetings SET org_id = ${b.organizationId} WHERE id = 1`),
      { meetings: { rowsPending: 1, unmappedRows: 0, sampleIds: [] } },
    ],
    [
      'rows_have_organization',
      (db) =>
        db.execute(
          sql`INSERT INTO schedules (clerk_user_id, org_id, timezone) VALUES (NULL, NULL, 'UTC')`,
        ),
      { schedules: 1 },
    ],
    [
      'foreign_keys',
      async (db) => {
        await db.execute(sql`ALTER TABLE meetings DROP CONSTRAINT meetings_event_id_fkey`);
        await db.execute(
          sql`INSERT INTO meetings (event_id, org_id) VALUES (999, ${a.organizationId})`,
        );
        await db.execute(sql`
          ALTER TABLE meetings ADD CONSTRAINT meetings_event_id_fkey
          FOREIGN KEY (event_id) REFERENCES events(id) NOT VALID`);
        await db.execute(
          sql`INSERT INTO events (clerk_user_id, org_id, title) VALUES (NULL, 'org_01GONE', 'y')`,
        );
      },
      {
        meetings: {
          rowsWithUnknownUser: 0,
          rowsWithUnknownOrganization: 0,
          brokenConstraints: [{ constraint: 'meetings_event_id_fkey', rows: 1 }],
        },
        events: { rowsWithUnknownUser: 0, rowsWithUnknownOrganization: 1, brokenConstraints: [] },
      },
    ],
    [
      'required_columns',
      (db) => db.execute(sql`UPDATE schedules SET timezone = NULL WHERE id = 2`),
      { schedules: { timezone: 1 } },
    ],
  ];

  it.each(breakages)(
    'fails only %s when that goes wrong',
    async (name, breakIt, details, expected) => {
      const { db, close } = await openTestDatabase(target);
      try {
        await finishedMigration(db);
        await breakIt(db);
        const report = await validate(db, expected);
        expect(report.ok).toBe(false);
        expect(failing(report)).toEqual([name]);
        expect(report.checks.find((c) => c.name === name)?.details).toEqual(details);
        expect(formatClerkMigrationReport(report)).toMatch(new RegExp(`FAIL ${name}: `));
      } finally {
        await close();
      }
    },
  );

  it('reports an unmapped Clerk id left in an app table', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      await finishedMigration(db);
      await db.execute(
        sql`INSERT INTO events (clerk_user_id, org_id, title) VALUES ('user_2stranger', ${a.organizationId}, 'z')`,
      );
      const report = await validate(db);
      expect(report.checks.find((c) => c.name === 'rows_rewritten')?.details).toEqual({
        events: { rowsPending: 0, unmappedRows: 1, sampleIds: ['user_2stranger'] },
      });
      // In place, a Clerk id left behind is also a reference to no user.
      expect(failing(report)).toEqual(['rows_rewritten', 'foreign_keys']);
    } finally {
      await close();
    }
  });

  it('refuses bad options with a coded error and reads nothing', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      const cases: [unknown, string][] = [
        [{ database: db, idMap: 'x' }, 'invalid_input'],
        [{ database: db, idMap: map, expectedUserCount: -1 }, 'invalid_input'],
        [{ database: db, idMap: map, config: { tables: [{ table: 'x' }] } }, 'invalid_config'],
        [
          { database: db, idMap: map, config: { tables: [{ ...SEED_APP_CONFIG.tables[0]! }] } },
          'invalid_config',
        ],
        [{ idMap: map }, 'invalid_input'],
      ];
      for (const [options, code] of cases) {
        const error = await validateClerkMigration(options as never).catch((e: unknown) => e);
        expect(
          isOrgkitError(error) && error.code,
          JSON.stringify(Object.keys(options as object)),
        ).toBe(code);
      }
    } finally {
      await close();
    }
  });
});
