import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../../src/db/database.js';
import { isOrgkitError } from '../../../src/errors/index.js';
import { migrateFromClerk, undoMigrationFromClerk } from '../../../src/migrate/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../../support/databases.js';
import {
  FAST_RETRY,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  workosSnapshot,
} from '../run/support.js';
import {
  createEventsTable,
  databaseSnapshot,
  EVENTS_APP_DATA,
  generateJsonExport,
} from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();
// Two database batches (50 + 10), so a run can stop between them.
const USERS = 60;

/**
 * What exists before the run: a WorkOS user with one of the export's addresses (matched), whose
 * users row has another role and whose setup and preferences rows already hold something, so
 * undo must put changed rows back rather than delete them.
 */
async function existingState(db: OrgkitDatabase, email: string, clerkIds: string[]) {
  const user = await env.workos.userManagement.createUser({ email });
  await db.execute(sql`
    INSERT INTO users (workos_user_id, email, role, updated_at)
    VALUES (${user.id}, ${email}, 'expert_community', '2024-01-02 03:04:05.123456+00')`);
  await db.execute(sql`
    INSERT INTO expert_setup (workos_user_id, workos_org_id, setup_status, updated_at)
    VALUES (${user.id}, 'org_elsewhere', '{"availability": true}', '2024-01-02 03:04:05.654321+00')`);
  await db.execute(sql`
    INSERT INTO user_preferences (workos_user_id, workos_org_id, preferences, updated_at)
    VALUES (${user.id}, 'org_elsewhere', '{"theme": "system"}', '2024-01-02 03:04:05.111111+00')`);
  // A profile from an earlier import, with other values: undo must put it back as it was.
  await db.execute(sql`
    INSERT INTO orgkit_clerk_profiles (workos_user_id, clerk_user_id, username, verified_phone_numbers, other, updated_at)
    VALUES (${user.id}, 'user_earlier', 'earlier ✓', '{"+1 555"}', '{"k": [1, "ü"]}', '2024-01-02 03:04:05.222222+00')`);
  await createEventsTable(db, clerkIds);
}

const snapshotAll = async (db: OrgkitDatabase) => ({
  workos: await workosSnapshot(env.workos),
  database: await databaseSnapshot(db, ['events']),
});

const MODES = ['personal', 'mapped', 'none'] as const;

/** The config of a run in this mode: a third of the users mapped to two shared organizations. */
function modeConfig(mode: (typeof MODES)[number], clerkIds: readonly string[]) {
  const organizationMapping = clerkIds
    .filter((_, i) => i % 3 === 0)
    .map((clerkUserId, i) => ({
      recordNumber: i + 1,
      clerkUserId,
      orgExternalId: i % 2 ? 'acme' : 'globex',
      orgName: i % 2 ? 'Acme' : 'Globex',
    }));
  return {
    organizationMode: mode,
    ...(mode === 'none' ? {} : { organizationMapping }),
  };
}

describe.each(DATABASE_TARGETS.flatMap((target) => MODES.map((mode) => ({ ...target, mode }))))(
  'undo of a Clerk migration on $name, organizations $mode',
  (target) => {
    it('after a run stopped in its database step: WorkOS and the database as before the run', async () => {
      const dir = await newDir();
      const { json, expected } = generateJsonExport(USERS, 'user_undo', false);
      const input = join(dir, 'users.json');
      await writeFile(input, json);
      const database = await openTestDatabase(target);
      try {
        // expected[1] has role `admin` and preferences in Clerk: its existing rows change.
        await existingState(database.db, expected[1]!.email, [expected[0]!.clerkUserId]);
        const before = await snapshotAll(database.db);
        const stop = new AbortController();
        const outDir = join(dir, 'run');
        const summary = await migrateFromClerk({
          input,
          outDir,
          workos: recordingClient(env.emulator).workos,
          database: database.db,
          config: modeConfig(
            target.mode,
            expected.map((e) => e.clerkUserId),
          ),
          retry: FAST_RETRY,
          signal: stop.signal,
          onDatabaseBatch: () => stop.abort(),
        });
        expect(summary).toMatchObject({ interrupted: true, ok: false, database: { applied: 50 } });
        expect(summary.workos.counts).toMatchObject({ created: USERS - 1, matched: 1 });
        expect(await snapshotAll(database.db)).not.toEqual(before);

        const undone = await undoMigrationFromClerk({
          outDir,
          input,
          workos: recordingClient(env.emulator).workos,
          database: database.db,
          retry: FAST_RETRY,
        });
        expect(undone.databaseUsersRestored).toBe(50);
        expect(undone.workos.deleted.users).toBe(USERS - 1);
        expect(undone.workos.failed).toEqual([]);
        expect(await snapshotAll(database.db)).toEqual(before);

        // Undo again: nothing left to take back.
        const again = await undoMigrationFromClerk({
          outDir,
          workos: recordingClient(env.emulator).workos,
          database: database.db,
        });
        expect(again.databaseUsersRestored).toBe(0);
        expect(again.workos.deleted).toEqual({
          users: 0,
          organizations: 0,
          memberships: 0,
          factors: 0,
        });
        expect(await snapshotAll(database.db)).toEqual(before);
      } finally {
        await database.close();
      }
    }, 120_000);

    it('after a full run: refused while the rewritten app tables are not restored, then WorkOS and the database as before', async () => {
      const dir = await newDir();
      const { json, expected } = generateJsonExport(USERS, 'user_undofull', false);
      const input = join(dir, 'users.json');
      await writeFile(input, json);
      const database = await openTestDatabase(target);
      const db = database.db;
      try {
        await existingState(
          db,
          expected[5]!.email,
          expected.filter((_, i) => i % 3 === 0).map((u) => u.clerkUserId),
        );
        const before = await snapshotAll(db);
        // The operator's backup of the app table, taken before the run.
        await db.execute(sql`CREATE TABLE events_backup AS SELECT * FROM events`);
        const outDir = join(dir, 'run');
        const summary = await migrateFromClerk({
          input,
          outDir,
          workos: recordingClient(env.emulator).workos,
          database: db,
          config: {
            appData: EVENTS_APP_DATA,
            ...modeConfig(
              target.mode,
              expected.map((e) => e.clerkUserId),
            ),
          },
          retry: FAST_RETRY,
        });
        expect(summary.ok).toBe(true);
        expect(summary.appData?.tables[0]?.rowsRewritten).toBe(20);
        const after = await snapshotAll(db);

        const refused = await undoMigrationFromClerk({
          outDir,
          workos: recordingClient(env.emulator).workos,
          database: db,
        }).catch((error: unknown) => error);
        expect(isOrgkitError(refused) && [refused.code, refused.reason]).toEqual([
          'conflict',
          'app_data_rewritten',
        ]);
        expect((refused as Error).message).toMatch(
          /app tables events.*Restore those tables from the backup/,
        );
        expect(await snapshotAll(db)).toEqual(after);

        await db.execute(sql`DELETE FROM events`);
        await db.execute(sql`INSERT INTO events SELECT * FROM events_backup`);
        await db.execute(sql`DROP TABLE events_backup`);
        const undone = await undoMigrationFromClerk({
          outDir,
          workos: recordingClient(env.emulator).workos,
          database: db,
          appDataRestored: true,
          retry: FAST_RETRY,
        });
        expect(undone.databaseUsersRestored).toBe(USERS);
        expect(undone.workos.failed).toEqual([]);
        expect(await snapshotAll(db)).toEqual(before);
      } finally {
        await database.close();
      }
    }, 120_000);
  },
);
