import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle } from 'drizzle-orm/pglite';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { ORGKIT_MIGRATIONS } from '../../src/db/migrations.generated.js';
import { DATABASE_TARGETS } from '../support/databases.js';
import { auditOrgkit, rawAuditRows } from './support.js';

/** An empty database (no orgkit migrations yet): PGlite, or a fresh schema on the real server. */
async function emptyDatabase(
  url: string | undefined,
): Promise<{ db: OrgkitDatabase; close(): Promise<void> }> {
  if (!url) {
    const client = await PGlite.create();
    return { db: drizzle({ client }), close: () => client.close() };
  }
  const schema = `orgkit_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  return {
    db: drizzlePg({ client: pool }),
    async close() {
      await pool.end();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

describe.each(DATABASE_TARGETS)(
  'migration 0003 on a database that already holds audit events ($name)',
  (target) => {
    it('links the existing events into per-organization chains that verify, then keeps appending', async () => {
      const { db, close } = await emptyDatabase(target.url);
      try {
        const before = ORGKIT_MIGRATIONS.findIndex((m) => m.tag.startsWith('0003'));
        await migrate(db, ORGKIT_MIGRATIONS.slice(0, before));
        await db.execute(sql`
        INSERT INTO audit_logs (occurred_at, action, actor_workos_user_id, workos_org_id, target_type, target_id, metadata)
        VALUES ('2024-01-02 03:04:05.123456+00', 'legacy.login', 'user_1', 'org_a', 'user', 'user_1', '{"b": 1.50, "a": [1, "x"]}'),
               ('2024-01-03 00:00:00+00', 'legacy.login', 'user_2', NULL, NULL, NULL, NULL),
               ('2024-01-04 00:00:00+00', 'legacy.logout', 'user_1', 'org_a', 'user', 'user_1', NULL)`);
        await migrate(db);

        const rows = await rawAuditRows(db);
        expect(rows.map((r) => [r.workos_org_id, r.seq])).toEqual([
          ['org_a', '1'],
          [null, '1'],
          ['org_a', '2'],
        ]);
        const orgkit = auditOrgkit(db);
        const next = await orgkit.logAuditEvent('x.y', 'thing', '1', null, null, {
          actor: { userId: 'user_1' },
          organizationId: 'org_a',
        });
        expect(next.seq).toBe(3);
        expect(await orgkit.verifyAuditChain()).toMatchObject({ valid: true, eventsChecked: 4 });
        // The legacy microsecond time is kept, and still pages correctly.
        const page = await orgkit.queryAuditEvents({
          organizationId: 'org_a',
          limit: 1,
          cursor: undefined,
        });
        const rest = await orgkit.queryAuditEvents({
          organizationId: 'org_a',
          cursor: page.nextCursor!,
        });
        expect([...page.events, ...rest.events].map((e) => e.seq)).toEqual([3, 2, 1]);
      } finally {
        await close();
      }
    });
  },
);
