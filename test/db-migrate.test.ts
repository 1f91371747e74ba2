import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/database.js';
import { migrate, ORGKIT_MIGRATIONS, users } from '../src/drizzle.js';
import { DATABASE_TARGETS, openTestDatabase } from './support/databases.js';

describe.each(DATABASE_TARGETS)('migrations on $name', (target) => {
  it('creates every orgkit table and is safe to run twice', async () => {
    const t = await openTestDatabase(target);
    try {
      const again = await migrate(t.db);
      expect(again.applied).toEqual([]);
      expect(again.skipped).toEqual(ORGKIT_MIGRATIONS.map((m) => m.tag));
      const tables = rowsOf<{ table_name: string }>(
        await t.db.execute(
          sql`SELECT table_name FROM information_schema.tables WHERE table_schema = ${t.schema} ORDER BY 1`,
        ),
      ).map((r) => r.table_name);
      expect(tables).toEqual(
        expect.arrayContaining([
          'users',
          'organizations',
          'user_org_memberships',
          'expert_setup',
          'user_preferences',
          'audit_logs',
          'orgkit_sync_cursors',
          'orgkit_migrations',
        ]),
      );
      await t.db.insert(users).values({ workosUserId: 'user_1', email: 'a@example.com' });
      const [row] = await t.db.select().from(users);
      expect(row?.role).toBe('user');
    } finally {
      await t.close();
    }
  });

  it('refuses a migration whose SQL changed after it was applied', async () => {
    const t = await openTestDatabase(target);
    try {
      const edited = ORGKIT_MIGRATIONS.map((m) => ({ ...m, hash: `${m.hash}x` }));
      await expect(migrate(t.db, edited)).rejects.toMatchObject({ code: 'conflict' });
    } finally {
      await t.close();
    }
  });

  it("two tests never see each other's rows", async () => {
    const [a, b] = await Promise.all([openTestDatabase(target), openTestDatabase(target)]);
    try {
      await a.db.insert(users).values({ workosUserId: 'user_a', email: 'a@example.com' });
      expect(await b.db.select().from(users)).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
