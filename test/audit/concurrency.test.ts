import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { runWorkerProcess } from '../support/worker-process.js';
import { auditOrgkit, rawAuditRows } from './support.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'audit-worker.ts');

const runWorker = (vars: Record<string, string>) => runWorkerProcess<number[]>(WORKER, vars);

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('concurrent writers of one organization’s chain', () => {
  // Two OS processes share nothing but the database, as two app servers would.
  it.runIf(process.env.DATABASE_URL)(
    'real Postgres: 1,000 concurrent events from two processes → seq 1..1,000, no gap, no fork',
    async () => {
      const t = await openTestDatabase({ url: process.env.DATABASE_URL });
      try {
        const vars = {
          // As the test database runs (the owner role under ORGKIT_TEST_RLS).
          DATABASE_URL: t.url!,
          ORGKIT_SCHEMA: t.schema,
          COUNT: '500',
        };
        const [first, second] = await Promise.all([
          runWorker({ ...vars, WORKER: '1' }),
          runWorker({ ...vars, WORKER: '2' }),
        ]);
        // Every event got its own place in the chain, and together they fill it.
        expect([...first, ...second].sort((a, b) => a - b)).toEqual(oneToN(1_000));
        const rows = await rawAuditRows(t.db);
        expect(rows).toHaveLength(1_000);
        expect(rows.map((r) => Number(r.seq)).sort((a, b) => a - b)).toEqual(oneToN(1_000));
        // Each event kept its own request's context.
        for (const row of rows) {
          const worker = String(row.target_id).split('-')[0];
          expect(row).toMatchObject({
            actor_workos_user_id: `user_${worker}`,
            ip_address: `10.0.0.${worker}`,
            user_agent: `worker ${worker}`,
          });
        }
        const report = await auditOrgkit(t.db).verifyAuditChain();
        expect(report).toMatchObject({ valid: true, eventsChecked: 1_000 });
      } finally {
        await t.close();
      }
    },
    120_000,
  );

  // PGlite is embedded: one process owns it, so the two writers are two orgkit instances.
  it('PGlite: 1,000 concurrent events from two instances → seq 1..1,000, no gap, no fork', async () => {
    const t = await openTestDatabase({ url: undefined });
    try {
      const writers = [auditOrgkit(t.db), auditOrgkit(t.db)];
      const logged = await Promise.all(
        Array.from({ length: 1_000 }, (_, i) => {
          const orgkit = writers[i % 2]!;
          return orgkit.runWithRequestScope(
            { session: sessionFor(`user_${i % 2}`, { organizationId: 'org_busy' }) },
            () => orgkit.logAuditEvent('record.viewed', 'patient_record', String(i)),
          );
        }),
      );
      expect(logged.map((e) => e.seq).sort((a, b) => a - b)).toEqual(oneToN(1_000));
      const report = await writers[0]!.verifyAuditChain();
      expect(report).toMatchObject({ valid: true, eventsChecked: 1_000 });
    } finally {
      await t.close();
    }
  });
});

describe.each(DATABASE_TARGETS)('concurrent batches across organizations ($name)', (target) => {
  it('never deadlock, whatever order each batch names the organizations in', async () => {
    const t = await openTestDatabase(target, { maxConnections: 8 });
    try {
      const orgkit = auditOrgkit(t.db);
      const organizations = Array.from({ length: 20 }, (_, i) => `org_${i}`);
      // Each batch lists the same 20 organizations in its own shuffled order.
      const shuffled = (seed: number) =>
        organizations
          .map((org, i) => ({ org, key: (i * 7919 + seed * 104_729) % 997 }))
          .sort((a, b) => a.key - b.key)
          .map(({ org }) => org);
      const batches = Array.from({ length: 40 }, (_, b) =>
        shuffled(b).map((organizationId, i) => ({
          action: 'record.viewed',
          resourceType: 'patient_record',
          resourceId: `${b}-${i}`,
          actor: { userId: 'user_1' },
          organizationId,
        })),
      );
      const written = await Promise.all(batches.map((batch) => orgkit.logAuditEvents(batch)));
      // Results come back in each batch's own order.
      written.forEach((events, b) => {
        expect(events.map((e) => e.organizationId)).toEqual(
          batches[b]!.map((e) => e.organizationId),
        );
      });
      const report = await orgkit.verifyAuditChain();
      expect(report).toMatchObject({ valid: true, eventsChecked: 800 });
      expect(report.chains.every((c) => c.lastSeq === 40)).toBe(true);
    } finally {
      await t.close();
    }
  });
});
