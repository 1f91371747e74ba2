import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { rowsOf } from '../../src/db/database.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { behindTheTriggersBack } from '../audit/support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';

describe.each(DATABASE_TARGETS)('data subjects and impersonation on events ($name)', (target) => {
  let database: TestDatabase;
  let tokens: TestTokenIssuer;
  beforeAll(async () => {
    tokens = await createTestTokenIssuer();
  });
  afterAll(() => tokens?.close());
  beforeEach(async () => {
    database = await openTestDatabase(target);
  });
  afterEach(() => database?.close());

  const orgkitFor = () =>
    createOrgkit({
      database: database.db,
      session: { jwksUrl: tokens.jwksUrl, issuers: [tokens.issuer] },
    });

  it('change events name their subjects; a query by subject reads them through the subject index, and the chain covers them', async () => {
    const orgkit = orgkitFor();
    const session = sessionFor('user_dr', { organizationId: 'org_clinic' });
    await orgkit.runWithRequestScope({ session }, async () => {
      await orgkit.logAuditEvent(
        'note.updated',
        'visit_note',
        'n0',
        { oldValues: { status: 'draft' }, newValues: { status: 'signed' } },
        null,
        { subjectIds: ['user_pat'] },
      );
      await orgkit.logAuditEvents([
        {
          action: 'note.updated',
          resourceType: 'visit_note',
          resourceId: 'n1',
          subjectIds: ['user_pat'],
        },
        {
          action: 'note.updated',
          resourceType: 'visit_note',
          resourceId: 'n2',
          subjectIds: ['user_pat', 'user_kid'],
        },
        {
          action: 'note.updated',
          resourceType: 'visit_note',
          resourceId: 'n3',
          subjectIds: ['user_other'],
        },
        { action: 'note.updated', resourceType: 'visit_note', resourceId: 'n4', subjectIds: [] },
      ]);
    });
    const about = async (subjectId: string) =>
      (await orgkit.queryAuditEvents({ subjectId })).events.map((e) => e.resourceId).sort();
    expect(await about('user_pat')).toEqual(['n0', 'n1', 'n2']);
    expect(await about('user_kid')).toEqual(['n2']);
    expect(await about('nobody')).toEqual([]);
    const [n2] = (await orgkit.queryAuditEvents({ resourceId: 'n2' })).events;
    expect(n2?.subjectIds).toEqual(['user_pat', 'user_kid']);
    // An empty list is stored as none.
    const [n4] = (await orgkit.queryAuditEvents({ resourceId: 'n4' })).events;
    expect(n4?.subjectIds).toEqual([]);
    const [stored] = rowsOf<{ subject_ids: unknown }>(
      await database.db.execute(sql`SELECT subject_ids FROM audit_logs WHERE target_id = 'n4'`),
    );
    expect(stored?.subject_ids).toBeNull();

    // The planner answers "everything about X" from the GIN index once the table is big enough
    // to prefer it; with the sequential scan off it must be able to.
    const plan = await database.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      return rowsOf<{ 'QUERY PLAN': string }>(
        await tx.execute(
          sql`EXPLAIN SELECT id FROM audit_logs WHERE subject_ids @> ARRAY['user_pat']::text[]`,
        ),
      )
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    });
    expect(plan).toContain('audit_logs_subject_idx');

    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
    // Moving an event to another patient behind the triggers' back breaks the chain there.
    await behindTheTriggersBack(
      database.db,
      sql`UPDATE audit_logs SET subject_ids = ARRAY['user_other'] WHERE target_id = 'n1'`,
    );
    const report = await orgkit.verifyAuditChain();
    expect(report.valid).toBe(false);
    expect(report.firstProblem?.kind).toBe('hash_mismatch');
  });

  it('keeps subject ids with quotes, backslashes, commas and braces intact, on the single-event and the batch path (property)', async () => {
    const orgkit = orgkitFor();
    const job = { actor: { system: 'test-job' }, organizationId: 'org_clinic' } as const;
    const id = fc
      .string({
        minLength: 1,
        maxLength: 20,
        unit: fc.constantFrom('a', '"', '\\', ',', '{', '}', ' ', 'N', 'U', 'L', 'é'),
      })
      .filter((s) => s.trim() === s && s.length > 0);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(id, { minLength: 1, maxLength: 4 }), async (subjectIds) => {
        const single = await orgkit.logAuditEvent('x.y', 'thing', '1', null, null, {
          ...job,
          subjectIds,
        });
        const [batched] = await orgkit.logAuditEvents([
          { action: 'x.y', resourceType: 'thing', resourceId: '2', subjectIds, ...job },
        ]);
        for (const written of [single, batched!]) {
          const [event] = (
            await orgkit.queryAuditEvents({ organizationId: 'org_clinic', limit: 500 })
          ).events.filter((e) => e.id === written.id);
          expect(event?.subjectIds).toEqual(subjectIds);
        }
      }),
      { numRuns: 25 },
    );
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
  });

  it('refuses a subject list that repeats a person, is too long or holds control characters, and writes nothing', async () => {
    const orgkit = orgkitFor();
    const job = { actor: { system: 'test-job' }, organizationId: 'org_clinic' } as const;
    for (const subjectIds of [
      ['a', 'a'],
      Array.from({ length: 101 }, (_, i) => `u${i}`),
      ['a\nb'],
      [''],
    ]) {
      await expect(
        orgkit.logAuditEvents([
          { action: 'x.y', resourceType: 'thing', resourceId: '1', subjectIds, ...job },
        ]),
      ).rejects.toMatchObject({ code: 'invalid_input' });
    }
    expect((await orgkit.queryAuditEvents({})).events).toEqual([]);
  });

  it("records the impersonator and reason from the token's act claim on every event of the request, and hashes them", async () => {
    const orgkit = orgkitFor();
    const token = await tokens.mint({
      sub: 'user_pat',
      org_id: 'org_personal',
      act: { email: 'support@clinic.example', reason: 'ticket 4411: cannot see invoice' },
    });
    const session = await orgkit.verifyAccessToken(token);
    expect(session.impersonator).toEqual({
      email: 'support@clinic.example',
      reason: 'ticket 4411: cannot see invoice',
    });
    await orgkit.runWithRequestScope({ session }, () =>
      orgkit.logAuditEvent('invoice.viewed', 'invoice', 'inv_1'),
    );
    // The user's own request, not impersonated, records none.
    const plain = await orgkit.verifyAccessToken(
      await tokens.mint({ sub: 'user_pat', org_id: 'org_personal' }),
    );
    await orgkit.runWithRequestScope({ session: plain }, () =>
      orgkit.logAuditEvent('invoice.viewed', 'invoice', 'inv_2'),
    );
    const events = (await orgkit.queryAuditEvents({ organizationId: 'org_personal' })).events;
    const byId = Object.fromEntries(events.map((e) => [e.resourceId, e]));
    expect(byId.inv_1?.actor).toEqual({ userId: 'user_pat' });
    expect(byId.inv_1?.impersonator).toEqual({
      email: 'support@clinic.example',
      reason: 'ticket 4411: cannot see invoice',
    });
    expect(byId.inv_2?.impersonator).toBeNull();
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
    // Erasing the impersonator afterwards is tampering the verifier finds.
    await behindTheTriggersBack(
      database.db,
      sql`UPDATE audit_logs SET impersonator = NULL, impersonation_reason = NULL WHERE target_id = 'inv_1'`,
    );
    expect((await orgkit.verifyAuditChain()).firstProblem?.kind).toBe('hash_mismatch');
  });
});
