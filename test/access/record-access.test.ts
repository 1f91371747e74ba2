import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAuditEvents } from '../../src/audit/index.js';
import { createOrgkit } from '../../src/create-orgkit.js';
import { rowsOf } from '../../src/db/database.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { accessOrgkit, CLINIC_ACCESS, rejection } from './support.js';

const doctor = sessionFor('user_dr', { organizationId: 'org_clinic', role: 'clinician' });

describe.each(DATABASE_TARGETS)('recordAccess ($name)', (target) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(target);
  });
  afterEach(() => database?.close());

  const countReads = async () =>
    Number(
      rowsOf<{ n: string }>(
        await database.db.execute(
          sql`SELECT count(*)::text AS n FROM audit_logs WHERE action = 'access.read'`,
        ),
      )[0]?.n,
    );
  const reads = async (orgkit: ReturnType<typeof accessOrgkit>) =>
    (await orgkit.queryAuditEvents({ action: 'access.read', limit: 500 })).events.reverse();

  it('records one event per request, resource type and purpose, in one statement before any call returns', async () => {
    const orgkit = accessOrgkit(database.db);
    const results = await orgkit.runWithRequestScope(
      { session: doctor, requestId: 'req_chart', ipAddress: '198.51.100.7' },
      async () => {
        const together = await Promise.all([
          orgkit.recordAccess('visit_note', ['n1', 'n2'], {
            purpose: 'TREAT',
            subjectIds: ['user_pat'],
          }),
          orgkit.recordAccess('visit_note', ['n2', 'n3'], {
            purpose: 'TREAT',
            subjectIds: ['user_pat'],
          }),
          orgkit.recordAccess('patient_record', 'user_pat', {
            purpose: 'TREAT',
            subjectIds: ['user_pat'],
          }),
          orgkit.recordAccess('appointment', [7, 8]),
        ]);
        // Every awaited call is durable when it returns.
        expect(await countReads()).toBe(3);
        // Later in the request: ids already recorded are not recorded again; new ones are.
        await orgkit.recordAccess('visit_note', ['n1'], {
          purpose: 'TREAT',
          subjectIds: ['user_pat'],
        });
        await orgkit.recordAccess('visit_note', ['n9'], {
          purpose: 'TREAT',
          subjectIds: ['user_pat'],
        });
        return together;
      },
    );
    expect(results.every((r) => r.recorded && r.emergencyAccessIds.length === 0)).toBe(true);
    const events = await reads(orgkit);
    expect(events.map((e) => [e.resourceType, e.resourceId, e.metadata])).toEqual([
      [
        'visit_note',
        null,
        { purpose: 'TREAT', count: 3, resourceIds: ['n1', 'n2', 'n3'], actorRole: 'clinician' },
      ],
      ['patient_record', 'user_pat', { purpose: 'TREAT', count: 1, actorRole: 'clinician' }],
      ['appointment', null, { count: 2, resourceIds: ['7', '8'], actorRole: 'clinician' }],
      ['visit_note', 'n9', { purpose: 'TREAT', count: 1, actorRole: 'clinician' }],
    ]);
    expect(events[0]).toMatchObject({
      actor: { userId: 'user_dr' },
      organizationId: 'org_clinic',
      subjectIds: ['user_pat'],
      requestId: 'req_chart',
      ipAddress: '198.51.100.7',
    });
    // The three events of the batch went in as one statement: consecutive ids and seqs.
    expect(events.slice(0, 3).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('requires a purpose for PHI types, accepts HL7 and the app’s own codes, refuses others, and writes nothing when it refuses', async () => {
    const orgkit = accessOrgkit(database.db);
    await orgkit.runWithRequestScope({ session: doctor }, async () => {
      expect(
        await rejection(orgkit.recordAccess('visit_note', 'n1', { subjectIds: ['user_pat'] })),
      ).toMatchObject({ code: 'invalid_input', reason: 'purpose_required' });
      expect(
        await rejection(orgkit.recordAccess('visit_note', 'n1', { purpose: 'CURIOSITY' })),
      ).toMatchObject({ code: 'invalid_input', reason: 'unknown_purpose' });
      await orgkit.recordAccess('visit_note', 'n1', { purpose: 'BILLING_REVIEW' });
      await orgkit.recordAccess('visit_note', 'n2', { purpose: 'HPAYMT' });
      await expect(
        orgkit.recordAccess('visit_note', [], { purpose: 'TREAT' }),
      ).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(
        orgkit.recordAccess(
          'visit_note',
          Array.from({ length: 1_001 }, (_, i) => i),
          { purpose: 'TREAT' },
        ),
      ).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(
        orgkit.recordAccess('visit_note', 'n1', { purpose: 'TREAT', extra: 1 } as never),
      ).rejects.toMatchObject({ code: 'invalid_input' });
    });
    expect((await reads(orgkit)).map((e) => e.metadata?.purpose)).toEqual([
      'BILLING_REVIEW',
      'HPAYMT',
    ]);
  });

  it('checks the resource type against a declared audit vocabulary', async () => {
    const orgkit = createOrgkit({
      database: database.db,
      access: CLINIC_ACCESS,
      audit: {
        events: defineAuditEvents({ actions: ['note.signed'], resourceTypes: ['visit_note'] }),
      },
    });
    await orgkit.runWithRequestScope({ session: doctor }, async () => {
      await orgkit.recordAccess('visit_note', 'n1', { purpose: 'TREAT' });
      await expect(
        orgkit.recordAccess('x_ray' as never, 'n1', { purpose: 'TREAT' }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
    });
  });

  it('fails a PHI read whose event cannot be written, and lets a non-PHI read through (configurable)', async () => {
    const orgkit = createOrgkit({
      database: database.db,
      access: {
        resourceTypes: {
          visit_note: { phi: true },
          appointment: {},
          schedule: { failClosed: true },
          lab_result: { phi: true, failClosed: false },
        },
      },
    });
    // The audit table refuses writes: every write of an event fails.
    await database.db.execute(sql`
      CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$`);
    await database.db.execute(
      sql`CREATE TRIGGER test_refuse BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION test_refuse()`,
    );
    await orgkit.runWithRequestScope({ session: doctor }, async () => {
      const [note, appointment, schedule, lab] = await Promise.allSettled([
        orgkit.recordAccess('visit_note', 'n1', { purpose: 'TREAT' }),
        orgkit.recordAccess('appointment', 'a1'),
        orgkit.recordAccess('schedule', 's1'),
        orgkit.recordAccess('lab_result', 'l1', { purpose: 'TREAT' }),
      ]);
      expect(note).toMatchObject({
        status: 'rejected',
        reason: { code: 'upstream_unavailable', reason: 'access_not_recorded' },
      });
      expect(appointment).toEqual({
        status: 'fulfilled',
        value: { recorded: false, emergencyAccessIds: [] },
      });
      expect(schedule).toMatchObject({ status: 'rejected' });
      expect(lab).toMatchObject({ status: 'fulfilled', value: { recorded: false } });
      // The message names no patient, id or database error.
      expect((note as PromiseRejectedResult).reason.message).not.toMatch(
        /n1|unavailable\b.*storage/,
      );
    });
    // With { tx }, the caller's transaction fails with it.
    await expect(
      database.db.transaction((tx) =>
        orgkit.runWithRequestScope({ session: doctor }, () =>
          orgkit.recordAccess('appointment', 'a2', { tx }),
        ),
      ),
    ).rejects.toMatchObject({ code: 'upstream_unavailable' });
  });

  it('writes inside the caller’s transaction with { tx }: rolled back with it', async () => {
    const orgkit = accessOrgkit(database.db);
    await orgkit.runWithRequestScope({ session: doctor }, async () => {
      await expect(
        database.db.transaction(async (tx) => {
          await orgkit.recordAccess('visit_note', 'n1', { purpose: 'TREAT', tx });
          throw new Error('read failed');
        }),
      ).rejects.toThrow('read failed');
      await database.db.transaction((tx) =>
        orgkit.recordAccess('visit_note', 'n2', { purpose: 'TREAT', tx }),
      );
    });
    expect((await reads(orgkit)).map((e) => e.resourceId)).toEqual(['n2']);
  });

  it('needs a session in a request, or an explicit actor outside one', async () => {
    const orgkit = accessOrgkit(database.db);
    await expect(
      orgkit.runWithRequestScope({}, () => orgkit.recordAccess('appointment', 'a1')),
    ).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(orgkit.recordAccess('appointment', 'a1')).rejects.toMatchObject({
      code: 'invalid_input',
      reason: 'no_request_scope',
    });
    await orgkit.recordAccess('visit_note', 'n1', {
      purpose: 'HOPERAT',
      actor: { system: 'nightly-quality-report' },
      organizationId: 'org_clinic',
      subjectIds: ['user_pat'],
    });
    expect((await reads(orgkit)).map((e) => e.actor)).toEqual([
      { system: 'nightly-quality-report' },
    ]);
  });

  it('accessed(): a route declares its accounting once; rows leave only after their event is written', async () => {
    const orgkit = accessOrgkit(database.db);
    const notes = [
      { id: 'n1', patientId: 'user_pat' },
      { id: 'n2', patientId: 'user_kid' },
    ];
    const readNotes = orgkit.accessed(
      'visit_note',
      async (patientIds: string[]) => notes.filter((n) => patientIds.includes(n.patientId)),
      {
        purpose: 'TREAT',
        ids: (note) => note.id,
        subjectIds: (note) => [note.patientId],
      },
    );
    const rows = await orgkit.runWithRequestScope({ session: doctor }, () =>
      readNotes(['user_pat', 'user_kid']),
    );
    expect(rows).toEqual(notes);
    const [event] = await reads(orgkit);
    expect(event).toMatchObject({
      subjectIds: ['user_pat', 'user_kid'],
      metadata: { resourceIds: ['n1', 'n2'] },
    });
    // A PHI type declared without a purpose is refused when the route is set up.
    expect(() => orgkit.accessed('visit_note', async () => notes, { ids: (n) => n.id })).toThrow(
      /purpose/,
    );
  });

  it('never writes an event for a rejected call (property)', async () => {
    const orgkit = accessOrgkit(database.db);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          type: fc.constantFrom('visit_note', 'appointment', 'not a type', ''),
          ids: fc.oneof(fc.constant([]), fc.array(fc.string({ maxLength: 300 }), { maxLength: 3 })),
          purpose: fc.option(fc.constantFrom('TREAT', 'treat', 'NOPE', ''), { nil: undefined }),
        }),
        async ({ type, ids, purpose }) => {
          await orgkit
            .runWithRequestScope({ session: doctor }, () =>
              orgkit.recordAccess(type, ids, purpose === undefined ? {} : { purpose }),
            )
            .catch(() => undefined);
        },
      ),
      { numRuns: 60 },
    );
    // Whatever was written is well-formed: a declared purpose where one is required.
    for (const event of await reads(orgkit)) {
      if (event.resourceType === 'visit_note') expect(event.metadata?.purpose).toBe('TREAT');
      expect(Number(event.metadata?.count)).toBeGreaterThan(0);
    }
  });
});
