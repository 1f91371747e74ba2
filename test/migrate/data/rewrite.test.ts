import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rewriteClerkAppData } from '../../../src/migrate/index.js';
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
});
