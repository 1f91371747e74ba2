import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoggedAuditEvent } from '../../src/audit/index.js';
import { isOrgkitError } from '../../src/errors/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import type { FaultRule } from '../../src/testing/fault-fetch.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { forwardingOrgkit, outboxRows, refuseAction } from './forward-support.js';
import { rawAuditRows } from './support.js';

const ORG = 'org_01CLINIC';
const AUDIT_POSTS = { method: 'POST', path: '/audit_logs/events' } as const;
const keyOf = (event: LoggedAuditEvent) => `orgkit-audit-${event.id}-${event.hash.slice(0, 16)}`;
const nothingDone = { sent: 0, retrying: 0, failed: 0, skipped: 0, abandoned: 0 };

type Orgkit = ReturnType<typeof forwardingOrgkit>['orgkit'];
async function logVisits(orgkit: Orgkit, count: number, organizationId = ORG) {
  const events: LoggedAuditEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push(
      await orgkit.logAuditEvent(
        'visit.viewed',
        'visit',
        `visit_${i}`,
        undefined,
        { i },
        {
          actor: { userId: 'user_01EXPERT' },
          organizationId,
        },
      ),
    );
  }
  return events;
}

let emulator: WorkOSEmulator;
beforeAll(async () => {
  emulator = await startWorkOSEmulator();
});
afterAll(() => emulator?.close());
beforeEach(() => emulator.reset());

describe.each(DATABASE_TARGETS)('forwarding audit events to WorkOS (database: $name)', (target) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(target);
  });
  afterEach(() => database?.close());

  it('sends each event once, mapped to WorkOS’s schema, without its old and new values', async () => {
    const { orgkit, recorder } = forwardingOrgkit(emulator, database.db);
    const session = sessionFor('user_01EXPERT', { organizationId: ORG });
    const cancelled = await orgkit.runWithRequestScope(
      { session, ipAddress: '203.0.113.9', userAgent: 'Mozilla/5.0 test', requestId: 'req_1' },
      () =>
        orgkit.logAuditEvent(
          'meeting.cancelled',
          'meeting',
          'mtg_1',
          { oldValues: { note: 'PHI-old' }, newValues: { note: 'PHI-new' } },
          { reason: 'guest asked', visit: { room: 4 } },
        ),
    );
    const report = await orgkit.logAuditEvent(
      'report.generated',
      'report',
      null,
      undefined,
      undefined,
      {
        actor: { system: 'nightly-report' },
        organizationId: ORG,
      },
    );

    expect(await orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, sent: 2 });
    expect(recorder.sent.map((s) => [s.idempotencyKey, s.status])).toEqual([
      [`orgkit-audit-${cancelled.id}-${cancelled.hash.slice(0, 16)}`, 201],
      [keyOf(report), 201],
    ]);
    const [first, second] = recorder.sent.map((s) => s.body);
    expect(first).toEqual({
      organization_id: ORG,
      event: {
        action: 'meeting.cancelled',
        occurred_at: cancelled.occurredAt.toISOString(),
        actor: { id: 'user_01EXPERT', type: 'user' },
        targets: [{ id: 'mtg_1', type: 'meeting' }],
        context: { location: '203.0.113.9', user_agent: 'Mozilla/5.0 test' },
        metadata: {
          'orgkit.outcome': 'success',
          'orgkit.request_id': 'req_1',
          reason: 'guest asked',
          'visit.room': 4,
          'orgkit.seq': cancelled.seq,
          'orgkit.hash': cancelled.hash,
        },
      },
    });
    expect(second?.event).toMatchObject({
      action: 'report.generated',
      actor: { id: 'nightly-report', type: 'system' },
      targets: [{ id: 'none', type: 'report' }],
      context: { location: '0.0.0.0' },
    });
    expect(JSON.stringify(recorder.sent)).not.toContain('PHI-');
    expect(await outboxRows(database.db)).toEqual([]);

    expect(await orgkit.forwardAuditEvents()).toEqual(nothingDone);
    expect(recorder.sent).toHaveLength(2);
  });

  it('keeps events without an organization out of the outbox', async () => {
    const { orgkit, recorder } = forwardingOrgkit(emulator, database.db);
    await orgkit.logAuditEvent('job.ran', 'job', 'nightly', undefined, undefined, {
      actor: { system: 'nightly' },
      organizationId: null,
    });
    expect(await rawAuditRows(database.db)).toHaveLength(1);
    expect(await outboxRows(database.db)).toEqual([]);
    expect(await orgkit.forwardAuditEvents()).toEqual(nothingDone);
    expect(recorder.sent).toEqual([]);
  });

  it('is invalid_config without audit.forwardToWorkOS, and then fills no outbox', async () => {
    const { orgkit } = forwardingOrgkit(emulator, database.db, { forward: false });
    await logVisits(orgkit, 1);
    expect(await outboxRows(database.db)).toEqual([]);
    const error = await orgkit.forwardAuditEvents().catch((e: unknown) => e);
    expect(isOrgkitError(error) && error.code).toBe('invalid_config');
  });

  const outages: [string, FaultRule, string][] = [
    ['answers 503', { fault: 'service_unavailable', ...AUDIT_POSTS }, 'http_503'],
    ['drops connections', { fault: 'connection_reset', ...AUDIT_POSTS }, 'network_econnreset'],
    ['never answers', { fault: 'timeout', timeoutMs: 20, ...AUDIT_POSTS }, 'timeout'],
  ];
  it.each(outages)(
    'while WorkOS %s, events are kept and later sent exactly once',
    async (_, fault, code) => {
      const down = forwardingOrgkit(emulator, database.db, { faults: { faults: fault } });
      const events = await logVisits(down.orgkit, 3);
      // Logging never waits on WorkOS: the rows are committed and nothing was sent.
      expect(await rawAuditRows(database.db)).toHaveLength(3);
      expect(down.recorder.sent).toEqual([]);

      expect(await down.orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, retrying: 3 });
      expect(await down.orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, retrying: 3 });
      // While WorkOS is down, each run tries only the first event, always under its own key
      // (SDK 9 also repeats a dropped connection itself, under the same key).
      const keysWhileDown = down.recorder.sent.map((s) => s.idempotencyKey);
      expect(keysWhileDown.length).toBeGreaterThanOrEqual(2);
      expect(new Set(keysWhileDown)).toEqual(new Set([keyOf(events[0]!)]));
      expect(
        (await outboxRows(database.db)).map((r) => [
          r.event_id,
          r.attempts,
          r.last_error,
          r.leased,
        ]),
      ).toEqual([
        [events[0]!.id, 2, code, false],
        [events[1]!.id, 0, null, false],
        [events[2]!.id, 0, null, false],
      ]);

      const back = forwardingOrgkit(emulator, database.db);
      expect(await back.orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, sent: 3 });
      const accepted = [...down.recorder.accepted(), ...back.recorder.accepted()];
      expect(accepted.sort()).toEqual(events.map(keyOf).sort());
      expect(await outboxRows(database.db)).toEqual([]);
    },
  );

  it('repeats a send whose answer was lost with the same idempotency key', async () => {
    const { orgkit, recorder } = forwardingOrgkit(emulator, database.db, {
      faults: { faults: { fault: 'connection_reset', deliver: true, calls: [1], ...AUDIT_POSTS } },
    });
    const [event] = await logVisits(orgkit, 1);
    let sent = 0;
    for (let run = 0; run < 3 && (await outboxRows(database.db)).length > 0; run++) {
      sent += (await orgkit.forwardAuditEvents()).sent;
    }
    expect(sent).toBe(1);
    // WorkOS received it twice under one key, which it keeps once (the emulator ignores keys).
    expect(recorder.sent.map((s) => [s.idempotencyKey, s.status])).toEqual([
      [keyOf(event!), undefined],
      [keyOf(event!), 201],
    ]);
  });

  it('waits out a 429’s Retry-After before the next attempt', async () => {
    const { orgkit, recorder } = forwardingOrgkit(emulator, database.db, {
      faults: {
        faults: { fault: 'rate_limit', retryAfterSeconds: 30, calls: [1], ...AUDIT_POSTS },
      },
    });
    const events = await logVisits(orgkit, 2);
    expect(await orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, retrying: 2 });
    const rows = await outboxRows(database.db);
    expect(rows.map((r) => [r.attempts, r.last_error])).toEqual([
      [1, 'rate_limited'],
      [0, null],
    ]);
    // baseDelayMs is 0 here: only Retry-After holds both events back (the database clock decides).
    for (const row of rows) expect(row.due_in_ms).toBeGreaterThan(25_000);
    expect(await orgkit.forwardAuditEvents()).toEqual(nothingDone);
    expect(recorder.sent).toHaveLength(1);

    await database.db.execute(sql`UPDATE orgkit_audit_outbox SET next_attempt_at = now()`);
    expect(await orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, sent: 2 });
    expect(recorder.accepted()).toEqual(events.map(keyOf));
  });

  it('gives up after maxAttempts, keeps the event with its error code, and sends it once re-queued', async () => {
    const failing = forwardingOrgkit(emulator, database.db, {
      forward: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
      faults: { faults: { fault: 'service_unavailable', ...AUDIT_POSTS } },
    });
    const [event] = await logVisits(failing.orgkit, 1);
    expect(await failing.orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, retrying: 1 });
    expect(await failing.orgkit.forwardAuditEvents()).toEqual({
      ...nothingDone,
      failed: 1,
      abandoned: 1,
    });
    expect(await outboxRows(database.db)).toMatchObject([{ attempts: 2, last_error: 'http_503' }]);

    const healthy = forwardingOrgkit(emulator, database.db, { forward: { maxAttempts: 2 } });
    expect(await healthy.orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, abandoned: 1 });
    expect(healthy.recorder.sent).toEqual([]);

    await database.db.execute(
      sql`UPDATE orgkit_audit_outbox SET attempts = 0, next_attempt_at = now()`,
    );
    expect(await healthy.orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, sent: 1 });
    expect(healthy.recorder.accepted()).toEqual([keyOf(event!)]);
  });

  it('gives up at once on an event WorkOS refuses, and still sends the others', async () => {
    const { orgkit, recorder } = forwardingOrgkit(emulator, database.db, {
      wrap: (next) => refuseAction('visit.viewed', next),
    });
    const [refused] = await logVisits(orgkit, 1);
    const accepted = await orgkit.logAuditEvent(
      'meeting.booked',
      'meeting',
      'mtg_2',
      undefined,
      undefined,
      {
        actor: { userId: 'user_01EXPERT' },
        organizationId: ORG,
      },
    );
    expect(await orgkit.forwardAuditEvents()).toEqual({
      ...nothingDone,
      sent: 1,
      failed: 1,
      abandoned: 1,
    });
    expect(recorder.accepted()).toEqual([keyOf(accepted)]);
    expect(await outboxRows(database.db)).toMatchObject([
      { event_id: refused!.id, attempts: 10, last_error: 'http_400' },
    ]);
  });

  it('removes, without sending, an outbox entry whose event was purged', async () => {
    const { orgkit, recorder } = forwardingOrgkit(emulator, database.db);
    await database.db.execute(
      sql`INSERT INTO orgkit_audit_outbox (event_id, workos_org_id) VALUES (987654321, ${ORG})`,
    );
    expect(await orgkit.forwardAuditEvents()).toEqual({ ...nothingDone, skipped: 1 });
    expect(recorder.sent).toEqual([]);
    expect(await outboxRows(database.db)).toEqual([]);
  });

  it('never sends one event twice from concurrent drains', async () => {
    const slow =
      (next: typeof fetch): typeof fetch =>
      async (input, init) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return next(input, init);
      };
    const forward = { batchSize: 4, baseDelayMs: 0, maxDelayMs: 0 };
    const drains = [1, 2, 3].map(() =>
      forwardingOrgkit(emulator, database.db, { forward, wrap: slow }),
    );
    const events = await logVisits(drains[0]!.orgkit, 30);

    const results = await Promise.all(drains.map((d) => d.orgkit.forwardAuditEvents()));
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(30);
    const sent = drains.flatMap((d) => d.recorder.sent.map((s) => s.idempotencyKey));
    expect(sent.sort()).toEqual(events.map(keyOf).sort());
    expect(await outboxRows(database.db)).toEqual([]);
  });
});
