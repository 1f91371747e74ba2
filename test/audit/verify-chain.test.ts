import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEventHash, GENESIS_HASH } from '../../src/audit/canonical.js';
import { isOrgkitError } from '../../src/errors/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { auditOrgkit, behindTheTriggersBack, rawAuditRows } from './support.js';

const KEY = 'k'.repeat(40);

describe.each(DATABASE_TARGETS)('verifyAuditChain and checkpoints (database: $name)', (target) => {
  let database: TestDatabase;
  let orgkit: ReturnType<typeof auditOrgkit>;

  const log = (organizationId: string | null, n: number) =>
    orgkit.logAuditEvents(
      Array.from({ length: n }, (_, i) => ({
        action: 'record.viewed',
        resourceType: 'patient_record',
        resourceId: `rec_${i}`,
        actor: { userId: 'user_1' },
        organizationId,
      })),
    );

  beforeEach(async () => {
    database = await openTestDatabase(target);
    orgkit = auditOrgkit(database.db, { checkpointKey: KEY });
    await log('org_a', 5);
    await log('org_b', 3);
    await log(null, 2);
  });
  afterEach(() => database?.close());

  it('reports every chain valid, with its events, when nothing was touched', async () => {
    const report = await orgkit.verifyAuditChain();
    expect(report).toMatchObject({ valid: true, eventsChecked: 10, firstProblem: null });
    expect(report.chains.map((c) => [c.organizationId, c.events, c.lastSeq])).toEqual([
      [null, 2, 2],
      ['org_a', 5, 5],
      ['org_b', 3, 3],
    ]);
    const one = await orgkit.verifyAuditChain({ organizationId: 'org_b' });
    expect(one.chains.map((c) => c.organizationId)).toEqual(['org_b']);
  });

  it('finds a deleted event in the middle as missing, naming the event after the gap', async () => {
    const rows = await rawAuditRows(database.db);
    const third = rows.find((r) => r.workos_org_id === 'org_a' && r.seq === '3');
    const fourth = rows.find((r) => r.workos_org_id === 'org_a' && r.seq === '4');
    await behindTheTriggersBack(database.db, sql`DELETE FROM audit_logs WHERE id = ${third?.id}`);
    const report = await orgkit.verifyAuditChain({ organizationId: 'org_a' });
    expect(report.firstProblem).toMatchObject({ kind: 'missing_events', seq: 3, id: fourth?.id });
  });

  it('finds a chain re-linked with recomputed hashes at the first event that no longer links', async () => {
    // An attacker rewrites event 2 and recomputes its hash: its own hash checks out again, but
    // event 3 still names the old hash.
    const rows = await rawAuditRows(database.db);
    const second = rows.find((r) => r.workos_org_id === 'org_a' && r.seq === '2')!;
    await behindTheTriggersBack(
      database.db,
      sql`UPDATE audit_logs SET target_id = 'rec_other',
        hash = orgkit_audit_hash(seq, id, occurred_at, action, outcome, actor_workos_user_id,
          actor_system, workos_org_id, target_type, 'rec_other', ip_address, user_agent, request_id,
          old_values, new_values, metadata, prev_hash)
        WHERE id = ${second.id}`,
    );
    const report = await orgkit.verifyAuditChain();
    expect(report.firstProblem).toMatchObject({
      organizationId: 'org_a',
      kind: 'broken_link',
      seq: 3,
    });
    expect(report.firstProblem?.expected).not.toBe(second.hash);
    expect(report.firstProblem?.actual).toBe(second.hash);
  });

  it('finds removed newest events from the head the database recorded', async () => {
    await behindTheTriggersBack(
      database.db,
      sql`DELETE FROM audit_logs WHERE workos_org_id = 'org_b' AND seq = 3`,
    );
    const report = await orgkit.verifyAuditChain();
    expect(report.firstProblem).toMatchObject({ organizationId: 'org_b', kind: 'head_mismatch' });
  });

  it('proves with an outside checkpoint that a chain was cut short and its head rewound', async () => {
    const checkpoint = JSON.parse(JSON.stringify(await orgkit.createAuditCheckpoint()));
    expect(checkpoint.mac).toMatch(/^[0-9a-f]{64}$/);
    await log('org_a', 1);
    expect((await orgkit.verifyAuditChain({ checkpoint })).valid).toBe(true);

    // Everything after event 3 removed and the head table rewound to match: only the
    // checkpoint kept outside the database still knows better.
    await behindTheTriggersBack(
      database.db,
      sql`DELETE FROM audit_logs WHERE workos_org_id = 'org_a' AND seq > 3`,
    );
    await database.db.execute(sql`
      UPDATE orgkit_audit_heads SET seq = 3,
        hash = (SELECT hash FROM audit_logs WHERE workos_org_id = 'org_a' AND seq = 3)
      WHERE chain = 'org_a'`);
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
    const report = await orgkit.verifyAuditChain({ checkpoint });
    expect(report.firstProblem).toMatchObject({
      organizationId: 'org_a',
      kind: 'checkpoint_mismatch',
      seq: 5,
    });
  });

  it('proves with an outside checkpoint that a chain was rebuilt from scratch', async () => {
    const checkpoint = await orgkit.createAuditCheckpoint();
    // Rebuilt: every org_b event deleted and the same number written again. The chain is
    // internally consistent, but not the chain the checkpoint saw.
    await behindTheTriggersBack(
      database.db,
      sql`DELETE FROM audit_logs WHERE workos_org_id = 'org_b'`,
    );
    await database.db.execute(sql`DELETE FROM orgkit_audit_heads WHERE chain = 'org_b'`);
    await log('org_b', 3);
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
    expect((await orgkit.verifyAuditChain({ checkpoint })).firstProblem).toMatchObject({
      organizationId: 'org_b',
      kind: 'checkpoint_mismatch',
      seq: 3,
    });
  });

  it('checks incrementally only what was written after a checkpoint, and still catches tampering there', async () => {
    const checkpoint = await orgkit.createAuditCheckpoint();
    await log('org_a', 2);
    await log('org_new', 1);
    const report = await orgkit.verifyAuditChain({ checkpoint, incremental: true });
    expect(report).toMatchObject({ valid: true, eventsChecked: 3 });
    expect(report.chains.map((c) => [c.organizationId, c.events, c.firstSeq, c.lastSeq])).toEqual([
      [null, 0, 3, 2],
      ['org_a', 2, 6, 7],
      ['org_b', 0, 4, 3],
      ['org_new', 1, 1, 1],
    ]);

    // A change after the checkpoint is found; one before it is what the checkpoint vouched for.
    await behindTheTriggersBack(
      database.db,
      sql`UPDATE audit_logs SET target_id = 'changed' WHERE workos_org_id = 'org_a' AND seq = 7`,
    );
    expect(
      (await orgkit.verifyAuditChain({ checkpoint, incremental: true })).firstProblem,
    ).toMatchObject({ organizationId: 'org_a', kind: 'hash_mismatch', seq: 7 });
  });

  it('incrementally, reads a chain over several pages and finds a change on a later one', async () => {
    const checkpoint = await orgkit.createAuditCheckpoint();
    await log('org_a', 1_000);
    await log('org_a', 500);
    const report = await orgkit.verifyAuditChain({ checkpoint, incremental: true });
    expect(report).toMatchObject({ valid: true, eventsChecked: 1_500 });
    await behindTheTriggersBack(
      database.db,
      sql`UPDATE audit_logs SET target_id = 'changed' WHERE workos_org_id = 'org_a' AND seq = 1300`,
    );
    expect(
      (await orgkit.verifyAuditChain({ checkpoint, incremental: true })).firstProblem,
    ).toMatchObject({ organizationId: 'org_a', kind: 'hash_mismatch', seq: 1300 });
  });

  it('incrementally, finds a chain rebuilt under the checkpoint even when nothing was added', async () => {
    const checkpoint = await orgkit.createAuditCheckpoint();
    await behindTheTriggersBack(
      database.db,
      sql`DELETE FROM audit_logs WHERE workos_org_id = 'org_b'`,
    );
    await database.db.execute(sql`DELETE FROM orgkit_audit_heads WHERE chain = 'org_b'`);
    await log('org_b', 3);
    expect(
      (await orgkit.verifyAuditChain({ checkpoint, incremental: true })).firstProblem,
    ).toMatchObject({ organizationId: 'org_b', kind: 'checkpoint_mismatch', seq: 3 });
    await expect(orgkit.verifyAuditChain({ incremental: true })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/incremental needs the checkpoint/),
    });
  });

  it('refuses a checkpoint whose signature does not match the key', async () => {
    const checkpoint = await orgkit.createAuditCheckpoint();
    const forged = {
      ...checkpoint,
      chains: checkpoint.chains.map((c) => ({ ...c, seq: c.seq + 1 })),
    };
    const error = await orgkit.verifyAuditChain({ checkpoint: forged }).catch((e: unknown) => e);
    expect(isOrgkitError(error) && error.code).toBe('invalid_input');
    expect(String((error as Error).message)).toMatch(/signature does not match/);
    const { mac: _mac, ...unsigned } = checkpoint;
    await expect(orgkit.verifyAuditChain({ checkpoint: unsigned })).rejects.toThrow(/not signed/);
  });

  it('reads the audit log inside a request only with the read permission, and records the read', async () => {
    const reader = sessionFor('user_admin', {
      organizationId: 'org_a',
      permissions: ['audit:read'],
    });
    const stranger = sessionFor('user_other', { organizationId: 'org_a' });
    const page = await orgkit.runWithRequestScope({ session: reader }, () =>
      orgkit.queryAuditEvents({ limit: 2 }),
    );
    expect(page.events.map((e) => e.organizationId)).toEqual(['org_a', 'org_a']);
    await expect(
      orgkit.runWithRequestScope({ session: stranger }, () => orgkit.queryAuditEvents()),
    ).rejects.toMatchObject({ code: 'forbidden' });
    // Another organization's log is not readable with a permission held in this one.
    await expect(
      orgkit.runWithRequestScope({ session: reader }, () =>
        orgkit.queryAuditEvents({ organizationId: 'org_b' }),
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const reads = await orgkit.queryAuditEvents({ action: 'audit.read' });
    expect(reads.events.map((e) => [e.actor, e.organizationId])).toEqual([
      [{ userId: 'user_admin' }, 'org_a'],
    ]);
    // Checkpoints and purges span every organization: not from a request.
    await expect(
      orgkit.runWithRequestScope({ session: reader }, () => orgkit.createAuditCheckpoint()),
    ).rejects.toMatchObject({ code: 'forbidden', reason: 'maintenance_only' });
  });

  it('hashes exactly what the database hashes (the canonical form in two languages)', async () => {
    const [row] = await rawAuditRows(database.db);
    const [fields] = (
      await database.db.execute(sql`
        SELECT seq::text AS seq, id::text AS id,
          to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
          action, outcome, actor_workos_user_id AS "actorWorkosUserId", actor_system AS "actorSystem",
          workos_org_id AS "workosOrgId", target_type AS "targetType", target_id AS "targetId",
          ip_address AS "ipAddress", user_agent AS "userAgent", request_id AS "requestId",
          old_values::text AS "oldValues", new_values::text AS "newValues", metadata::text AS metadata,
          prev_hash AS "prevHash"
        FROM audit_logs WHERE id = ${row?.id}`)
    ).rows as Parameters<typeof auditEventHash>[0][];
    expect(fields?.prevHash).toBe(GENESIS_HASH);
    expect(auditEventHash(fields!)).toBe(row?.hash);
  });
});
