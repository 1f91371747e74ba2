import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RlsTarget, withRls } from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { prepare, rows } from './support.js';

const plan = (list: Record<string, unknown>[]) =>
  list.map((r) => String(Object.values(r)[0])).join('\n');

// Every target's claim reads, and both permissive forms of the shared table.
const SHAPES: [RlsTarget, 'combined' | 'separate'][] = [
  ['postgres', 'combined'],
  ['neon', 'combined'],
  ['supabase', 'combined'],
  ['postgres', 'separate'],
];

describe.each(
  DATABASE_TARGETS.flatMap((database) =>
    SHAPES.map(([target, form]) => ({ ...database, target, form })),
  ),
)('query plans under the policies on $name, target $target, $form', (database) => {
  let test: TestDatabase;
  beforeAll(async () => {
    // The claim functions of neon and supabase are installed by a superuser (plain database).
    test = await openTestDatabase(database, { plain: database.target !== 'postgres' });
    await prepare(test, database.target, { permissivePolicies: database.form });
    // 200 organizations × 50 events, 200 guests × 50 meetings: one organization is 0.5%.
    await test.db.execute(sql`
      INSERT INTO events (id, workos_org_id)
      SELECT 'e' || g, 'org_' || (g % 200) FROM generate_series(1, 10000) g`);
    await test.db.execute(sql`
      INSERT INTO meetings (id, expert_org_id, guest_workos_user_id)
      SELECT 'm' || g, 'org_' || (g % 200), 'user_' || (g % 197) FROM generate_series(1, 10000) g`);
    await test.db.execute(sql`ANALYZE events`);
    await test.db.execute(sql`ANALYZE meetings`);
  });
  afterAll(() => test?.close());

  const explain = (query: string) =>
    withRls(test.db, sessionFor('user_7', { organizationId: 'org_7' }), async (tx) =>
      plan(await rows(tx, sql.raw(`EXPLAIN ${query}`))),
    );

  it('an org-scoped SELECT reads the claim once (InitPlan) and uses the index', async () => {
    const text = await explain('SELECT * FROM events');
    expect(text).toMatch(/Index Scan|Bitmap Index Scan/);
    expect(text).toContain('events_workos_org_id_rls_idx');
    expect(text).toContain('InitPlan');
    expect(text).not.toContain('SubPlan');
    expect(text).not.toMatch(/Seq Scan on events/);
  });

  it('the shared org-or-guest policies use both indexes, not a sequential scan', async () => {
    const text = await explain('SELECT * FROM meetings');
    expect(text).toContain('meetings_expert_org_id_rls_idx');
    expect(text).toContain('meetings_guest_workos_user_id_rls_idx');
    expect(text).not.toContain('SubPlan');
    expect(text).not.toMatch(/Seq Scan on meetings/);
  });
});
