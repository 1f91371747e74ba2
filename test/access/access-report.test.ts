import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { accessOrgkit, collect } from './support.js';

const doctor = sessionFor('user_dr', { organizationId: 'org_clinic', role: 'clinician' });
const patient = sessionFor('user_pat', { organizationId: 'org_personal_pat', role: 'owner' });
const officer = sessionFor('user_officer', {
  organizationId: 'org_clinic',
  role: 'admin',
  permissions: ['audit:read'],
});
const impersonated = {
  ...sessionFor('user_pat', { organizationId: 'org_personal_pat' }),
  impersonator: { email: 'support@clinic.example', reason: 'ticket 7' },
};

describe.each(DATABASE_TARGETS)('accessReport and exportDisclosures ($name)', (target) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(target);
  });
  afterEach(() => database?.close());

  it('lists who touched a person’s records, when and why, with emergency and impersonated access marked; reading it is recorded', async () => {
    const orgkit = accessOrgkit(database.db);
    const grant = await orgkit.runWithRequestScope({ session: doctor }, async () => {
      await orgkit.recordAccess('visit_note', ['n1', 'n2'], {
        purpose: 'TREAT',
        subjectIds: ['user_pat'],
      });
      await orgkit.recordAccess('visit_note', ['n3'], {
        purpose: 'TREAT',
        subjectIds: ['user_other'],
      });
      const grant = await orgkit.breakGlass({
        subjectId: 'user_pat',
        reason: 'collapsed in the lobby',
      });
      await orgkit.recordAccess('patient_record', 'user_pat', {
        purpose: 'ETREAT',
        subjectIds: ['user_pat'],
      });
      await orgkit.recordDisclosure('visit_note', ['n1'], {
        recipient: 'Acme Health Insurance',
        description: 'visit note for claim 123',
        purpose: 'HPAYMT',
        subjectIds: ['user_pat'],
      });
      return grant;
    });
    await orgkit.runWithRequestScope({ session: impersonated }, () =>
      orgkit.logAuditEvent('profile.updated', 'profile', 'user_pat', null, null, {
        subjectIds: ['user_pat'],
      }),
    );
    await orgkit.runWithRequestScope({ session: officer }, () =>
      orgkit.reviewEmergencyAccess(grant.id, { outcome: 'appropriate', note: 'seizure, ER' }),
    );

    // The patient reads their own report (every organization's events about them).
    const mine = await orgkit.runWithRequestScope({ session: patient }, () =>
      collect(orgkit.accessReport({ subjectId: 'user_pat' })),
    );
    expect(mine.map((e) => [e.action, e.purpose, e.resourceIds])).toEqual([
      ['access.read', 'TREAT', ['n1', 'n2']],
      ['access.break_glass', null, [expect.any(String)]],
      ['access.read', 'ETREAT', ['user_pat']],
      ['access.disclosed', 'HPAYMT', ['n1']],
      ['profile.updated', null, ['user_pat']],
      ['access.emergency_reviewed', null, [grant.id]],
      // The read of this very report is recorded before its first line, so it lists itself.
      ['access.report_read', null, ['user_pat']],
    ]);
    expect(mine[0]).toMatchObject({
      actor: { userId: 'user_dr' },
      actorRole: 'clinician',
      organizationId: 'org_clinic',
      emergencyAccessIds: [],
      impersonator: null,
    });
    expect(mine[2]?.emergencyAccessIds).toEqual([mine[1]?.resourceIds[0]]);
    expect(mine[3]?.disclosure).toEqual({
      recipient: 'Acme Health Insurance',
      description: 'visit note for claim 123',
    });
    expect(mine[4]?.impersonator).toEqual({ email: 'support@clinic.example', reason: 'ticket 7' });
    // The review's verdict is in the report; the reviewer's note is not.
    expect(mine[5]).toMatchObject({
      actor: { userId: 'user_officer' },
      review: { outcome: 'appropriate' },
    });
    expect(JSON.stringify(mine)).not.toContain('seizure');
    expect(mine.filter((e) => e.review !== null)).toHaveLength(1);

    // Someone else needs the review permission, and sees their organization's events only.
    await expect(
      orgkit.runWithRequestScope({ session: doctor }, () =>
        collect(orgkit.accessReport({ subjectId: 'user_pat' })),
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const officers = await orgkit.runWithRequestScope({ session: officer }, () =>
      collect(orgkit.accessReport({ subjectId: 'user_pat' })),
    );
    expect(new Set(officers.map((e) => e.organizationId))).toEqual(new Set(['org_clinic']));
    expect(officers.some((e) => e.action === 'profile.updated')).toBe(false);

    // The accounting of disclosures lists disclosures only.
    const disclosures = await collect(orgkit.exportDisclosures({ subjectId: 'user_pat' }));
    expect(disclosures.map((e) => e.disclosure?.recipient)).toEqual(['Acme Health Insurance']);

    // Every read of a report is on record, by whom and about whom.
    const reads = await collect(orgkit.exportAuditEvents({ action: 'access.report_read' }));
    expect(reads.map((e) => [e.actor, e.subjectIds, e.metadata?.kind])).toEqual([
      [{ userId: 'user_pat' }, ['user_pat'], 'access'],
      [{ userId: 'user_officer' }, ['user_pat'], 'access'],
      [{ system: 'access-report' }, ['user_pat'], 'disclosures'],
    ]);
  });

  it('filters by time, pages through more events than one page holds, and refuses bad input before reading', async () => {
    const orgkit = accessOrgkit(database.db);
    const job = { actor: { system: 'import' }, organizationId: 'org_clinic' } as const;
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        action: 'note.imported',
        resourceType: 'visit_note',
        resourceId: `n${from + i}`,
        subjectIds: ['user_pat'],
        ...job,
      }));
    await orgkit.logAuditEvents(batch(0, 700));
    const middle = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Reports read pages of 1,000 then 4,000: 5,300 events take three.
    for (let from = 700; from < 5_300; from += 1_000) {
      await orgkit.logAuditEvents(batch(from, Math.min(1_000, 5_300 - from)));
    }
    const all = await collect(orgkit.accessReport({ subjectId: 'user_pat' }));
    const imported = all.filter((e) => e.action === 'note.imported');
    expect(imported.map((e) => e.resourceIds[0])).toEqual(
      Array.from({ length: 5_300 }, (_, i) => `n${i}`),
    );
    const later = await collect(orgkit.accessReport({ subjectId: 'user_pat', from: middle }));
    expect(later.filter((e) => e.action === 'note.imported')).toHaveLength(4_600);
    for (const query of [
      { subjectId: '' },
      { subjectId: 'user_pat', from: 'yesterday' },
      { subjectId: 'user_pat', extra: true },
      {},
    ]) {
      await expect(collect(orgkit.accessReport(query as never))).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
  });
});
