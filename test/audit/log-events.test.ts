import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAuditEvents } from '../../src/audit/index.js';
import { createOrgkit } from '../../src/create-orgkit.js';
import { isOrgkitError } from '../../src/errors/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { auditCounts, auditOrgkit, rawAuditRows } from './support.js';

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isOrgkitError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to be rejected');
}

describe.each(DATABASE_TARGETS)('logAuditEvent (database: $name)', (target) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(target);
  });
  afterEach(() => database?.close());

  it('takes actor, organization, IP, user agent and request id from the request scope', async () => {
    const orgkit = auditOrgkit(database.db);
    const session = sessionFor('user_expert', { organizationId: 'org_clinic' });
    const logged = await orgkit.runWithRequestScope(
      { session, ipAddress: '203.0.113.9', userAgent: 'Mozilla/5.0 test', requestId: 'req_1' },
      () =>
        orgkit.logAuditEvent(
          'meeting.cancelled',
          'meeting',
          'mtg_1',
          { oldValues: { status: 'booked' }, newValues: { status: 'cancelled' } },
          { reason: 'guest asked' },
        ),
    );
    expect(logged).toMatchObject({ organizationId: 'org_clinic', seq: 1 });
    expect(logged.hash).toMatch(/^[0-9a-f]{64}$/);
    const [row] = await rawAuditRows(database.db);
    expect(row).toMatchObject({
      id: logged.id,
      seq: '1',
      action: 'meeting.cancelled',
      outcome: 'success',
      actor_workos_user_id: 'user_expert',
      actor_system: null,
      workos_org_id: 'org_clinic',
      target_type: 'meeting',
      target_id: 'mtg_1',
      ip_address: '203.0.113.9',
      user_agent: 'Mozilla/5.0 test',
      request_id: 'req_1',
      prev_hash: '0'.repeat(64),
      hash: logged.hash,
    });
    expect(JSON.parse(String(row?.old_values))).toEqual({ status: 'booked' });
    expect(JSON.parse(String(row?.new_values))).toEqual({ status: 'cancelled' });
    expect(JSON.parse(String(row?.metadata))).toEqual({ reason: 'guest asked' });
  });

  it('outside a scope needs an explicit actor, and says so', async () => {
    const orgkit = auditOrgkit(database.db);
    const error = await rejection(orgkit.logAuditEvent('job.ran', 'job', 'nightly'));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/no actor is known/);
    // An anonymous request (a scope without a session) is no better.
    const anonymous = await rejection(
      orgkit.runWithRequestScope({}, () => orgkit.logAuditEvent('job.ran', 'job', 'nightly')),
    );
    expect(anonymous.code).toBe('invalid_input');

    const logged = await orgkit.logAuditEvent('job.ran', 'job', 'nightly', null, null, {
      actor: { system: 'nightly-export' },
      organizationId: 'org_a',
    });
    expect(logged.organizationId).toBe('org_a');
    const [row] = await rawAuditRows(database.db);
    // Absent changes and metadata are SQL NULL, not the JSON literal null.
    expect(row).toMatchObject({
      actor_system: 'nightly-export',
      actor_workos_user_id: null,
      old_values: null,
      new_values: null,
      metadata: null,
    });
  });

  it('numbers each organization’s events 1, 2, 3 … and links each to the one before', async () => {
    const orgkit = auditOrgkit(database.db);
    const as = (organizationId: string | null) => ({ actor: { userId: 'u1' }, organizationId });
    const a1 = await orgkit.logAuditEvent('x.y', 'thing', '1', null, null, as('org_a'));
    const b1 = await orgkit.logAuditEvent('x.y', 'thing', '2', null, null, as('org_b'));
    const a2 = await orgkit.logAuditEvent('x.y', 'thing', '3', null, null, as('org_a'));
    const none = await orgkit.logAuditEvent('x.y', 'thing', '4', null, null, as(null));
    expect([a1.seq, b1.seq, a2.seq, none.seq]).toEqual([1, 1, 2, 1]);
    const rows = await rawAuditRows(database.db);
    expect(rows.find((r) => r.id === a2.id)?.prev_hash).toBe(a1.hash);
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
  });

  it('writes a batch in order in one statement, all or nothing', async () => {
    const orgkit = auditOrgkit(database.db);
    const events = Array.from({ length: 25 }, (_, i) => ({
      action: 'record.viewed',
      resourceType: 'patient_record',
      resourceId: `rec_${i}`,
      actor: { userId: 'user_nurse' },
      organizationId: i % 2 ? 'org_a' : 'org_b',
    }));
    const logged = await orgkit.logAuditEvents(events);
    expect(logged.map((e) => e.seq)).toEqual(events.map((_, i) => Math.floor(i / 2) + 1));
    expect((await auditCounts(database.db))?.events).toBe('25');

    // One bad event rejects the whole batch before anything is written.
    const error = await rejection(
      orgkit.logAuditEvents([...events, { ...events[0]!, resourceId: '' }]),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/events\.25/);
    expect((await auditCounts(database.db))?.events).toBe('25');
  });

  it('with { tx } commits and rolls back together with the change it records', async () => {
    const orgkit = auditOrgkit(database.db);
    await database.db.execute(sql`CREATE TABLE meetings (id text PRIMARY KEY, status text)`);
    const cancel = (id: string, fail: boolean) =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO meetings VALUES (${id}, 'cancelled')`);
        await orgkit.logAuditEvent('meeting.cancelled', 'meeting', id, null, null, {
          tx,
          actor: { userId: 'u1' },
          organizationId: 'org_a',
        });
        if (fail) throw new Error('payment refund failed');
      });
    await cancel('m1', false);
    await expect(cancel('m2', true)).rejects.toThrow('payment refund failed');
    const rows = await rawAuditRows(database.db);
    expect(rows.map((r) => r.target_id)).toEqual(['m1']);
    // The rolled-back event left no gap: the next one is seq 2.
    const next = await orgkit.logAuditEvent('x.y', 'thing', '1', null, null, {
      actor: { userId: 'u1' },
      organizationId: 'org_a',
    });
    expect(next.seq).toBe(2);
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
  });

  it('redacts passwords, tokens, secrets and codes before the row is written', async () => {
    const orgkit = auditOrgkit(database.db, { redact: ['patient.diagnosis', '**.ssn'] });
    await orgkit.logAuditEvent(
      'user.updated',
      'user',
      'user_1',
      {
        oldValues: { password: 'hunter2-old', email: 'a@example.com' },
        newValues: {
          password: 'hunter2-new',
          email: 'a@example.com',
          profile: { refresh_token: 'rt_secret_value', statusCode: 200 },
        },
      },
      {
        magicAuthCode: '123456',
        'X-Api-Key': 'sk_test_abcdef',
        client_secret: 'cs_value',
        patient: { diagnosis: 'sensitive-dx', name: 'kept' },
        nested: [{ ssn: '078-05-1120' }],
        postalCode: '94105',
      },
      { actor: { system: 'test' }, organizationId: 'org_a' },
    );
    const [row] = await rawAuditRows(database.db);
    const stored = JSON.stringify(row);
    for (const secret of [
      'hunter2-old',
      'hunter2-new',
      'rt_secret_value',
      '123456',
      'sk_test_abcdef',
      'cs_value',
      'sensitive-dx',
      '078-05-1120',
    ]) {
      expect(stored).not.toContain(secret);
    }
    expect(JSON.parse(String(row?.old_values))).toEqual({
      password: '[REDACTED]',
      email: 'a@example.com',
    });
    // The password changed, and the row says so without saying what to.
    expect(JSON.parse(String(row?.new_values))).toEqual({
      password: '[REDACTED:changed]',
      email: 'a@example.com',
      profile: { refresh_token: '[REDACTED]', statusCode: 200 },
    });
    expect(JSON.parse(String(row?.metadata))).toMatchObject({
      patient: { diagnosis: '[REDACTED]', name: 'kept' },
      nested: [{ ssn: '[REDACTED]' }],
      postalCode: '94105',
    });
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
  });

  it('lets the app exempt a path from the default rules with allow', async () => {
    const orgkit = auditOrgkit(database.db, { allow: ['coupon.code'] });
    await orgkit.logAuditEvent(
      'payment.made',
      'payment',
      'pay_1',
      null,
      { coupon: { code: 'SPRING10' }, verificationCode: '998877' },
      { actor: { system: 'test' }, organizationId: 'org_a' },
    );
    const [row] = await rawAuditRows(database.db);
    expect(JSON.parse(String(row?.metadata))).toEqual({
      coupon: { code: 'SPRING10' },
      verificationCode: '[REDACTED]',
    });
  });

  it('accepts only the declared vocabulary when the app types it', async () => {
    const events = defineAuditEvents({
      actions: ['meeting.booked'],
      resourceTypes: ['meeting'],
    });
    const orgkit = createOrgkit({ database: database.db, audit: { events } });
    const options = { actor: { userId: 'u1' }, organizationId: 'org_a' };
    await orgkit.logAuditEvent('meeting.booked', 'meeting', 'm1', null, null, options);
    // orgkit's own actions stay available.
    await orgkit.logAuditEvent('access.denied', 'request', 'GET /x', null, null, options);
    const unknown = await rejection(
      // @ts-expect-error: not a declared action
      orgkit.logAuditEvent('meeting.boked', 'meeting', 'm1', null, null, options),
    );
    expect(unknown.code).toBe('invalid_input');
    expect(unknown.message).toMatch(/"meeting.boked" is not a declared audit action/);
    expect((await auditCounts(database.db))?.events).toBe('2');
  });

  it('rejects what cannot be stored faithfully, naming it, and writes nothing', async () => {
    const orgkit = auditOrgkit(database.db);
    const options = { actor: { userId: 'u1' }, organizationId: 'org_a' };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [Promise<unknown>, RegExp][] = [
      [orgkit.logAuditEvent('bad action!', 'thing', '1', null, null, options), /action/],
      [orgkit.logAuditEvent('x.y', 'thing', '', null, null, options), /resourceId/],
      [orgkit.logAuditEvent('x.y', 'thing', '1', null, { n: Number.NaN }, options), /metadata\.n/],
      [orgkit.logAuditEvent('x.y', 'thing', '1', null, { c: cyclic }, options), /refers to itself/],
      [orgkit.logAuditEvent('x.y', 'thing', '1', null, { s: 'a\u0000b' }, options), /NUL/],
      [
        orgkit.logAuditEvent('x.y', 'thing', '1', null, { big: 'x'.repeat(70_000) }, options),
        /bytes/,
      ],
      [
        orgkit.logAuditEvent('x.y', 'thing', '1', null, null, {
          ...options,
          actor: { userId: 'u1', system: 'both' } as never,
        }),
        /actor/,
      ],
    ];
    for (const [call, message] of cases) {
      const error = await rejection(call);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toMatch(message);
    }
    expect(await auditCounts(database.db)).toEqual({ events: '0', heads: '0', outbox: '0' });
  });

  it('keeps a "__proto__" key as data, never as a prototype', async () => {
    const orgkit = auditOrgkit(database.db);
    const metadata = JSON.parse('{"__proto__": {"isAdmin": true}, "plain": 1}');
    await orgkit.logAuditEvent('x.y', 'thing', '1', null, metadata, {
      actor: { userId: 'u1' },
      organizationId: 'org_a',
    });
    const [row] = await rawAuditRows(database.db);
    expect(JSON.parse(String(row?.metadata))).toEqual(metadata);
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });
});
