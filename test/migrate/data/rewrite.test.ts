import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../../src/errors/index.js';
import { parseClerkAppDataConfig, rewriteClerkAppData } from '../../../src/migrate/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../../support/databases.js';
import { createSeedAppTables, mapEntry, SEED_APP_CONFIG, snapshot, tableRows } from './support.js';

const APP_TABLES = ['events', 'schedules', 'meetings'];

describe.each(DATABASE_TARGETS)('rewriteClerkAppData on $name', (target) => {
  it('rewrites ids in place or into the WorkOS column, fills the organization, keeps guest fields NULL', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      await createSeedAppTables(db);
      const [a, b] = [mapEntry(1), mapEntry(2)];
      await db.execute(sql`
        INSERT INTO events (clerk_user_id, title) VALUES
          (${a.clerkUserId}, 'a1'), (${b.clerkUserId}, 'b1'), ('user_2stranger', 's1'),
          (NULL, 'nobody'), (${a.clerkUserId}, 'a2')`);
      await db.execute(sql`
        INSERT INTO meetings (event_id, clerk_user_id) VALUES (1, ${a.clerkUserId}), (2, ${b.clerkUserId})`);
      const result = await rewriteClerkAppData({
        database: db,
        config: { ...SEED_APP_CONFIG, batchSize: 2 },
        idMap: [a, b],
      });
      expect(result.tables).toEqual([
        {
          table: 'events',
          rowsRewritten: 3,
          batches: 2,
          unmapped: { rows: 1, sampleIds: ['user_2stranger'] },
        },
        { table: 'schedules', rowsRewritten: 0, batches: 0, unmapped: { rows: 0, sampleIds: [] } },
        { table: 'meetings', rowsRewritten: 2, batches: 1, unmapped: { rows: 0, sampleIds: [] } },
      ]);
      expect(await tableRows(db, 'events')).toEqual([
        { id: 1, clerk_user_id: a.workosUserId, org_id: a.organizationId, title: 'a1' },
        { id: 2, clerk_user_id: b.workosUserId, org_id: b.organizationId, title: 'b1' },
        { id: 3, clerk_user_id: 'user_2stranger', org_id: null, title: 's1' },
        { id: 4, clerk_user_id: null, org_id: null, title: 'nobody' },
        { id: 5, clerk_user_id: a.workosUserId, org_id: a.organizationId, title: 'a2' },
      ]);
      expect(await tableRows(db, 'meetings')).toEqual([
        {
          id: 1,
          event_id: 1,
          clerk_user_id: a.clerkUserId,
          workos_user_id: a.workosUserId,
          org_id: a.organizationId,
          guest_workos_user_id: null,
          guest_org_id: null,
          guest_email: null,
        },
        {
          id: 2,
          event_id: 2,
          clerk_user_id: b.clerkUserId,
          workos_user_id: b.workosUserId,
          org_id: b.organizationId,
          guest_workos_user_id: null,
          guest_org_id: null,
          guest_email: null,
        },
      ]);
      // A re-run finds nothing left to change.
      const before = await snapshot(db, APP_TABLES);
      const again = await rewriteClerkAppData({
        database: db,
        config: SEED_APP_CONFIG,
        idMap: [a, b],
      });
      expect(again.tables.map((t) => [t.rowsRewritten, t.batches])).toEqual([
        [0, 0],
        [0, 0],
        [0, 0],
      ]);
      expect(await snapshot(db, APP_TABLES)).toEqual(before);
    } finally {
      await close();
    }
  });

  it('finishes when a map entry gives the same id on both sides (only the organization changes)', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      await createSeedAppTables(db);
      const same = { ...mapEntry(1), workosUserId: mapEntry(1).clerkUserId };
      await db.execute(sql`
        INSERT INTO events (clerk_user_id, title) VALUES (${same.clerkUserId}, 'a'), (${same.clerkUserId}, 'b')`);
      const result = await rewriteClerkAppData({
        database: db,
        config: { ...SEED_APP_CONFIG, batchSize: 1 },
        idMap: [same],
      });
      expect(result.tables[0]).toMatchObject({ table: 'events', rowsRewritten: 2 });
      expect((await tableRows(db, 'events')).map((r) => [r.clerk_user_id, r.org_id])).toEqual([
        [same.clerkUserId, same.organizationId],
        [same.clerkUserId, same.organizationId],
      ]);
    } finally {
      await close();
    }
  }, 30_000);

  it('continues after a failed batch: committed batches stay, a re-run finishes the rest', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      await createSeedAppTables(db);
      const map = [1, 2, 3, 4].map(mapEntry);
      for (const e of map) {
        await db.execute(
          sql`INSERT INTO events (clerk_user_id, title) VALUES (${e.clerkUserId}, 'x')`,
        );
      }
      // The third row cannot be written until the "outage" ends.
      await db.execute(sql`
        CREATE FUNCTION refuse_third() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.id = 3 THEN RAISE EXCEPTION 'outage'; END IF; RETURN NEW; END $$`);
      await db.execute(
        sql`CREATE TRIGGER outage BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION refuse_third()`,
      );
      const config = { tables: [SEED_APP_CONFIG.tables[0]!], batchSize: 1 };
      const batches: number[] = [];
      const error = await rewriteClerkAppData({
        database: db,
        config,
        idMap: map,
        onBatch: (b) => batches.push(b.rows),
      }).catch((e: unknown) => e);
      expect(isOrgkitError(error) && [error.code, error.details]).toEqual([
        'internal',
        { table: 'events' },
      ]);
      expect(batches).toEqual([1, 1]);
      expect((await tableRows(db, 'events')).map((r) => r.org_id)).toEqual([
        map[0]!.organizationId,
        map[1]!.organizationId,
        null,
        null,
      ]);
      await db.execute(sql`DROP TRIGGER outage ON events`);
      const resumed = await rewriteClerkAppData({ database: db, config, idMap: map });
      expect(resumed.tables[0]).toMatchObject({ rowsRewritten: 2, batches: 2 });
      expect((await tableRows(db, 'events')).map((r) => r.clerk_user_id)).toEqual(
        map.map((e) => e.workosUserId),
      );
    } finally {
      await close();
    }
  });

  it('works with a schema-qualified table', async () => {
    const { db, close, schema } = await openTestDatabase(target);
    try {
      await createSeedAppTables(db);
      const a = mapEntry(1);
      await db.execute(
        sql`INSERT INTO events (clerk_user_id, title) VALUES (${a.clerkUserId}, 'x')`,
      );
      const result = await rewriteClerkAppData({
        database: db,
        config: { tables: [{ ...SEED_APP_CONFIG.tables[0]!, schema }] },
        idMap: [a],
      });
      expect(result.tables).toEqual([
        {
          table: `${schema}.events`,
          rowsRewritten: 1,
          batches: 1,
          unmapped: { rows: 0, sampleIds: [] },
        },
      ]);
    } finally {
      await close();
    }
  });

  it('refuses a bad config or id map before writing anything', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      await createSeedAppTables(db);
      await db.execute(
        sql`CREATE TABLE uuid_orgs (id serial PRIMARY KEY, clerk_user_id text, org_id uuid)`,
      );
      const [a, b] = [mapEntry(1), mapEntry(2)];
      await db.execute(
        sql`INSERT INTO events (clerk_user_id, title) VALUES (${a.clerkUserId}, 'x')`,
      );
      const events = SEED_APP_CONFIG.tables[0]!;
      const configs: [unknown, RegExp][] = [
        [{ tables: [] }, /tables/],
        [
          { tables: [{ ...events, table: 'events; DROP TABLE events' }] },
          /tables\.0\.table: expected a plain SQL name/,
        ],
        [{ tables: [{ ...events, organizationIdColumn: 'clerk_user_id' }] }, /must differ/],
        [{ tables: [events, events] }, /tables\.1\.table: listed twice/],
        [{ tables: [events], batchSize: 0 }, /batchSize/],
        [{ tables: [events], extra: true }, /extra|Unrecognized/],
        [
          { tables: [events, { ...events, table: 'nowhere' }] },
          /tables\.1\.table: no table nowhere/,
        ],
        [
          { tables: [events, { ...events, table: 'meetings', workosUserIdColumn: 'workos_id' }] },
          /meetings has no column workos_id/,
        ],
        [{ tables: [events, { ...events, table: 'uuid_orgs' }] }, /uuid_orgs\.org_id is uuid/],
      ];
      const before = await snapshot(db, APP_TABLES);
      for (const [config, message] of configs) {
        const error = await rewriteClerkAppData({
          database: db,
          config: config as never,
          idMap: [a],
        }).catch((e: unknown) => e);
        expect(isOrgkitError(error) && error.code, JSON.stringify(config)).toBe('invalid_config');
        expect((error as Error).message).toMatch(message);
      }
      const maps: [unknown, RegExp][] = [
        ['map', /idMap: expected an array/],
        [
          [a, { ...b, clerkUserId: a.clerkUserId }],
          /idMap\.1: Clerk user user_2clerk1 is mapped twice/,
        ],
        [
          [a, { ...b, workosUserId: a.workosUserId }],
          /idMap\.1: WorkOS user user_01WORKOS1 is mapped twice/,
        ],
        [[a, { ...b, workosUserId: a.clerkUserId }], /also a Clerk user id/],
        [[{ ...a, organizationId: undefined }], /idMap\.0\.organizationId/],
        [[{ ...a, workosUserId: '  ' }], /idMap\.0\.workosUserId/],
      ];
      for (const [idMap, message] of maps) {
        const error = await rewriteClerkAppData({
          database: db,
          config: SEED_APP_CONFIG,
          idMap: idMap as never,
        }).catch((e: unknown) => e);
        expect(isOrgkitError(error) && error.code, JSON.stringify(idMap)).toBe('invalid_input');
        expect((error as Error).message).toMatch(message);
      }
      await expect(
        rewriteClerkAppData({ config: SEED_APP_CONFIG, idMap: [a] } as never),
      ).rejects.toMatchObject({
        code: 'invalid_input',
      });
      expect(await snapshot(db, APP_TABLES)).toEqual(before);
    } finally {
      await close();
    }
  });
});

describe('parseClerkAppDataConfig', () => {
  it('keeps a valid config as it is and names the bad key otherwise', () => {
    expect(parseClerkAppDataConfig(SEED_APP_CONFIG)).toEqual(SEED_APP_CONFIG);
    expect(() => parseClerkAppDataConfig({ tables: [{ table: 'events' }] })).toThrow(
      /app data config: tables\.0\.clerkUserIdColumn/,
    );
  });
});
