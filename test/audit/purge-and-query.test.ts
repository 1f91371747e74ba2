import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/database.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { ageEvents, auditOrgkit, behindTheTriggersBack, rawAuditRows } from './support.js';

describe.each(DATABASE_TARGETS)('purge and query (database: $name)', (target) => {
  let database: TestDatabase;
  let orgkit: ReturnType<typeof auditOrgkit>;
  const as = (organizationId: string | null, userId = 'user_1') => ({
    actor: { userId },
    organizationId,
  });

  beforeEach(async () => {
    database = await openTestDatabase(target);
    orgkit = auditOrgkit(database.db, { retentionDays: 365 });
  });
  afterEach(() => database?.close());

  /** Events 1..n of a chain, the first `old` of them written two years ago. */
  async function chainWithOldEvents(organizationId: string, n: number, old: number) {
    for (let i = 0; i < n; i++) {
      await orgkit.logAuditEvent(
        'record.viewed',
        'patient_record',
        `rec_${i}`,
        null,
        null,
        as(organizationId),
      );
    }
    await ageEvents(
      database.db,
      organizationId,
      Array.from({ length: old }, (_, i) => i + 1),
      2,
    );
  }

  it('removes only whole expired prefixes, records the checkpoint, and the rest still verifies', async () => {
    await chainWithOldEvents('org_a', 6, 4);
    // Event 3 of org_b is old but comes after a recent one: it must stay, and so must 2.
    await chainWithOldEvents('org_b', 4, 0);
    await ageEvents(database.db, 'org_b', [1, 3], 2);
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
    // Rows that a purge would remove cannot be removed by hand before it.
    await expect(database.db.execute(sql`DELETE FROM audit_logs WHERE seq = 1`)).rejects.toThrow();

    const result = await orgkit.purgeExpiredAuditEvents();
    expect(result.chains).toEqual([
      { organizationId: 'org_a', throughSeq: 4, eventsPurged: 4 },
      { organizationId: 'org_b', throughSeq: 1, eventsPurged: 1 },
    ]);
    expect(result.eventsPurged).toBe(5);
    const left = await rawAuditRows(database.db);
    expect(
      left.filter((r) => r.action === 'record.viewed').map((r) => `${r.workos_org_id}:${r.seq}`),
    ).toEqual(['org_a:5', 'org_a:6', 'org_b:2', 'org_b:3', 'org_b:4']);
    // Each purge is itself an event in the chain it purged.
    const purges = await orgkit.queryAuditEvents({ action: 'audit.purged' });
    expect(purges.events.map((e) => [e.organizationId, e.actor, e.metadata?.throughSeq])).toEqual(
      expect.arrayContaining([
        ['org_a', { system: 'audit-purge' }, 4],
        ['org_b', { system: 'audit-purge' }, 1],
      ]),
    );
    const report = await orgkit.verifyAuditChain();
    expect(report.valid).toBe(true);
    expect(report.chains.find((c) => c.organizationId === 'org_a')?.firstSeq).toBe(5);

    // A second run finds nothing more to remove.
    expect((await orgkit.purgeExpiredAuditEvents()).eventsPurged).toBe(0);
    // Events before the checkpoint that somehow survive do not fool the verifier, and a
    // prefix deleted without a purge is still missing events.
    await behindTheTriggersBack(
      database.db,
      sql`DELETE FROM audit_logs WHERE workos_org_id = 'org_b' AND seq = 2`,
    );
    expect((await orgkit.verifyAuditChain()).firstProblem).toMatchObject({
      organizationId: 'org_b',
      kind: 'missing_events',
      seq: 2,
    });
  });

  it('never removes the newest event of a chain, however old', async () => {
    await chainWithOldEvents('org_a', 3, 3);
    const result = await orgkit.purgeExpiredAuditEvents();
    expect(result.chains).toEqual([{ organizationId: 'org_a', throughSeq: 2, eventsPurged: 2 }]);
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
  });

  it('pages through events newest first with filters, never repeating or skipping one', async () => {
    const events = [];
    for (let i = 0; i < 23; i++) {
      events.push({
        action: i % 3 === 0 ? 'meeting.booked' : 'record.viewed',
        resourceType: i % 3 === 0 ? 'meeting' : 'patient_record',
        resourceId: `res_${i % 5}`,
        ...as(i % 4 === 0 ? 'org_b' : 'org_a', i % 2 ? 'user_odd' : 'user_even'),
      });
    }
    // One statement: every event gets the same occurred_at, so only the id orders them.
    await orgkit.logAuditEvents(events);
    for (const query of [
      { organizationId: 'org_a' },
      { organizationId: 'org_a', actorId: 'user_odd' },
      { organizationId: 'org_a', action: 'record.viewed' },
      { organizationId: 'org_a', resourceType: 'patient_record', resourceId: 'res_2' },
      { actorId: 'user_even' },
    ]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await orgkit.queryAuditEvents({ ...query, limit: 4, cursor });
        seen.push(...page.events.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const expected = (await rawAuditRows(database.db))
        .filter(
          (r) =>
            (query.organizationId === undefined || r.workos_org_id === query.organizationId) &&
            (query.actorId === undefined || r.actor_workos_user_id === query.actorId) &&
            (query.action === undefined || r.action === query.action) &&
            (query.resourceId === undefined || r.target_id === query.resourceId),
        )
        .map((r) => String(r.id))
        .reverse();
      expect(seen, JSON.stringify(query)).toEqual(expected);
    }
    const exported = [];
    for await (const event of orgkit.exportAuditEvents({ organizationId: 'org_b' })) {
      exported.push(event.seq);
    }
    expect(exported).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    await chainWithOldEvents('org_a', 4, 2);
    const now = Date.now();
    const recent = await orgkit.queryAuditEvents({
      organizationId: 'org_a',
      from: new Date(now - 86_400_000).toISOString(),
    });
    expect(recent.events.map((e) => e.seq)).toEqual([4, 3]);
    const old = await orgkit.queryAuditEvents({
      organizationId: 'org_a',
      to: new Date(now - 86_400_000),
    });
    expect(old.events.map((e) => e.seq)).toEqual([2, 1]);
  });

  it('rejects a forged cursor and bad filters as invalid_input', async () => {
    for (const query of [
      { cursor: 'not-a-cursor' },
      { cursor: Buffer.from('["x","1; DROP TABLE audit_logs"]').toString('base64url') },
      { limit: 0 },
      { from: 'yesterday' },
      { organizationId: '' },
      { unknown: 1 } as never,
    ]) {
      await expect(orgkit.queryAuditEvents(query), JSON.stringify(query)).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
  });

  it('serves each filter from an index', async () => {
    // Enough rows that a sequential scan would cost more than an index scan.
    await orgkit.logAuditEvents(
      Array.from({ length: 500 }, (_, i) => ({
        action: `action.n${i % 20}`,
        resourceType: 'thing',
        resourceId: `res_${i}`,
        ...as(`org_${i % 50}`, `user_${i % 30}`),
      })),
    );
    await database.db.execute(sql`ANALYZE audit_logs`);
    const plans: Record<string, string> = {};
    const explain = async (name: string, where: ReturnType<typeof sql>) => {
      const rows = rowsOf<{ 'QUERY PLAN': string }>(
        await database.db.execute(sql`
          EXPLAIN SELECT * FROM audit_logs WHERE ${where}
          ORDER BY occurred_at DESC, id DESC LIMIT 51`),
      );
      plans[name] = rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    await explain('organization', sql`workos_org_id = 'org_7'`);
    await explain('actor', sql`actor_workos_user_id = 'user_3'`);
    await explain('action', sql`workos_org_id = 'org_7' AND action = 'action.n7'`);
    await explain(
      'resource',
      sql`workos_org_id = 'org_7' AND target_type = 'thing' AND target_id = 'res_7'`,
    );
    for (const [name, plan] of Object.entries(plans)) {
      expect(plan, name).toMatch(/Index (Only )?Scan/);
      expect(plan, name).not.toMatch(/Seq Scan/);
    }
  });
});
