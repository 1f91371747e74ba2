import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { rowsOf } from '../../src/db/database.js';
import {
  defineRlsModel,
  generateRlsSql,
  lintRls,
  orgkitRlsTables,
  withRls,
} from '../../src/rls/index.js';
import type { Session } from '../../src/session/types.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { execScript } from '../rls/support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { CLINIC_ACCESS, rejection } from './support.js';

const model = defineRlsModel({
  tables: {
    ...orgkitRlsTables(),
    // Notes are read with notes:read in their organization, or under an emergency grant.
    patient_notes: {
      kind: 'org',
      organizationColumn: 'workos_org_id',
      commands: { select: { permission: 'notes:read' } },
      emergencyAccess: { subjectColumn: 'patient_id' },
    },
  },
});

const doctor = sessionFor('user_dr', { organizationId: 'org_clinic', role: 'clinician' });
const nurse = sessionFor('user_nurse', { organizationId: 'org_clinic', role: 'clinician' });
const officer = sessionFor('user_officer', {
  organizationId: 'org_clinic',
  role: 'admin',
  permissions: ['audit:read'],
});

describe.each(DATABASE_TARGETS)('breakGlass and its RLS policy ($name)', (target) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(target, { plain: true });
    await execScript(
      database.db,
      `CREATE TABLE patient_notes (id text PRIMARY KEY, workos_org_id text NOT NULL, patient_id text NOT NULL, body text NOT NULL);
       INSERT INTO patient_notes VALUES
         ('n1', 'org_clinic', 'user_pat', 'a'), ('n2', 'org_clinic', 'user_pat', 'b'),
         ('n3', 'org_clinic', 'user_other', 'c'), ('n4', 'org_elsewhere', 'user_pat', 'd');`,
    );
    await execScript(
      database.db,
      generateRlsSql(model, { target: 'postgres', schema: database.schema }),
    );
  });
  afterEach(() => database?.close());

  const visible = (session: Session) =>
    withRls(database.db, session, async (tx) =>
      rowsOf<{ id: string }>(await tx.execute(sql`SELECT id FROM patient_notes ORDER BY id`)).map(
        (r) => r.id,
      ),
    );
  const events = async (db: OrgkitDatabase, action: string) =>
    rowsOf<{ actor: string; subjects: string | null; metadata: Record<string, unknown> | null }>(
      await db.execute(sql`
        SELECT actor_workos_user_id AS actor, array_to_string(subject_ids, ',') AS subjects, metadata
        FROM audit_logs WHERE action = ${action} ORDER BY id`),
    );

  it('shows a subject’s rows to the grantee only, in the grant’s organization, until the database clock passes the expiry', async () => {
    const alerts: unknown[] = [];
    const orgkit = createOrgkit({
      database: database.db,
      access: { ...CLINIC_ACCESS, onBreakGlass: (grant) => void alerts.push(grant) },
    });
    // Without a grant (and without notes:read) the request role sees nothing.
    expect(await visible(doctor)).toEqual([]);
    const grant = await orgkit.runWithRequestScope({ session: doctor }, () =>
      orgkit.breakGlass({ subjectId: 'user_pat', reason: 'unconscious in the ER', minutes: 30 }),
    );
    expect(grant).toMatchObject({
      granteeUserId: 'user_dr',
      organizationId: 'org_clinic',
      subjectId: 'user_pat',
      reason: 'unconscious in the ER',
      review: null,
    });
    expect(grant.expiresAt.getTime() - grant.grantedAt.getTime()).toBe(30 * 60_000);
    expect(alerts).toEqual([grant]);
    // The grantee sees that patient's notes in the clinic: not another patient's, not another
    // organization's notes about the same patient.
    expect(await visible(doctor)).toEqual(['n1', 'n2']);
    // A colleague, and the patient's other organization, see nothing.
    expect(await visible(nurse)).toEqual([]);
    expect(await visible(sessionFor('user_dr', { organizationId: 'org_elsewhere' }))).toEqual([]);
    // The grant is the database's to enforce: a grant the clock has passed shows nothing.
    await database.db.execute(sql`
      INSERT INTO orgkit_emergency_access (grantee_workos_user_id, workos_org_id, subject_id, reason, granted_at, expires_at)
      VALUES ('user_nurse', 'org_clinic', 'user_pat', 'expired long ago', now() - interval '2 hours', now() - interval '1 hour'),
             ('user_nurse', 'org_clinic', 'user_other', 'about to end', now(), clock_timestamp() + interval '1500 milliseconds')`);
    expect(await visible(nurse)).toEqual(['n3']);
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(await visible(nurse)).toEqual([]);
    // orgkit's own RLS lint finds nothing wrong with the emergency policy (no per-row claim read,
    // its column indexed).
    const findings = await lintRls(database.db, { schemas: [database.schema] });
    expect(
      findings.filter((f) => f.table?.includes('patient_notes') || f.policy?.includes('emergency')),
    ).toEqual([]);
    // The break is recorded, naming the patient but not the free-text reason.
    const [recorded] = await events(database.db, 'access.break_glass');
    expect(recorded).toMatchObject({ actor: 'user_dr', subjects: 'user_pat' });
    expect(JSON.stringify(recorded?.metadata)).not.toContain('ER');
  });

  it('refuses a grant without a reason (in orgkit and in the database), without a session, or above the longest time', async () => {
    const orgkit = createOrgkit({ database: database.db, access: { maxBreakGlassMinutes: 60 } });
    const count = async () =>
      rowsOf<{ n: string }>(
        await database.db.execute(sql`SELECT count(*)::text AS n FROM orgkit_emergency_access`),
      )[0]?.n;
    await orgkit.runWithRequestScope({ session: doctor }, async () => {
      for (const input of [
        { subjectId: 'user_pat' },
        { subjectId: 'user_pat', reason: '   ' },
        { subjectId: 'user_pat', reason: 'ok' },
        { subjectId: 'user_pat', reason: 'long enough', minutes: 61 },
        { subjectId: 'user_pat', reason: 'long enough', minutes: 0 },
        { reason: 'no target at all' },
        { subjectId: 'user_pat', resource: { type: 'visit_note', id: 'n1' }, reason: 'both' },
      ]) {
        expect(await rejection(orgkit.breakGlass(input as never))).toMatchObject({
          code: 'invalid_input',
        });
      }
    });
    await expect(
      orgkit.breakGlass({ subjectId: 'user_pat', reason: 'no request at all' }),
    ).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(await count()).toBe('0');
    expect(await events(database.db, 'access.break_glass')).toEqual([]);
    // The table itself refuses a blank reason, whoever writes.
    await expect(
      database.db.execute(sql`
        INSERT INTO orgkit_emergency_access (grantee_workos_user_id, subject_id, reason, expires_at)
        VALUES ('user_x', 'user_pat', '  ', now() + interval '1 hour')`),
    ).rejects.toThrow();
    // The request role cannot grant itself access.
    await expect(
      withRls(database.db, doctor, (tx) =>
        tx.execute(sql`
          INSERT INTO orgkit_emergency_access (grantee_workos_user_id, subject_id, reason, expires_at)
          VALUES ('user_dr', 'user_pat', 'self-service', now() + interval '1 hour')`),
      ),
    ).rejects.toThrow();
    expect(await count()).toBe('0');
  });

  it('marks accesses made under the grant, and puts the grant on a review list that records its readers and reviews', async () => {
    const orgkit = createOrgkit({
      database: database.db,
      access: {
        ...CLINIC_ACCESS,
        onBreakGlass: () => {
          throw new Error('pager down');
        },
      },
    });
    const grant = await orgkit.runWithRequestScope({ session: doctor }, async () => {
      const created = await orgkit.breakGlass({
        subjectId: 'user_pat',
        reason: 'cardiac arrest, no chart access',
      });
      const underGrant = await orgkit.recordAccess('visit_note', ['n1', 'n2'], {
        purpose: 'ETREAT',
        subjectIds: ['user_pat'],
      });
      const ordinary = await orgkit.recordAccess('visit_note', ['n3'], {
        purpose: 'TREAT',
        subjectIds: ['user_other'],
      });
      expect(underGrant.emergencyAccessIds).toEqual([created.id]);
      expect(ordinary.emergencyAccessIds).toEqual([]);
      return created;
    });
    // The alert failed: the access stands, and the failure is on record.
    expect(await events(database.db, 'access.break_glass_alert_failed')).toHaveLength(1);
    const reads = await events(database.db, 'access.read');
    expect(reads.map((r) => r.metadata?.emergencyAccessIds ?? null)).toEqual([[grant.id], null]);

    // Only a holder of the review permission lists and reviews; nobody reviews their own grant.
    await expect(
      orgkit.runWithRequestScope({ session: nurse }, () => orgkit.listEmergencyAccessForReview()),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const pending = await orgkit.runWithRequestScope({ session: officer }, () =>
      orgkit.listEmergencyAccessForReview(),
    );
    expect(pending.map((g) => g.id)).toEqual([grant.id]);
    const selfReviewer = sessionFor('user_dr', {
      organizationId: 'org_clinic',
      permissions: ['audit:read'],
    });
    expect(
      await rejection(
        orgkit.runWithRequestScope({ session: selfReviewer }, () =>
          orgkit.reviewEmergencyAccess(grant.id, { outcome: 'appropriate' }),
        ),
      ),
    ).toMatchObject({ code: 'forbidden', reason: 'own_grant' });
    const reviewed = await orgkit.runWithRequestScope({ session: officer }, () =>
      orgkit.reviewEmergencyAccess(grant.id, {
        outcome: 'appropriate',
        note: 'ER record confirms',
      }),
    );
    expect(reviewed.review).toMatchObject({
      reviewerUserId: 'user_officer',
      outcome: 'appropriate',
      note: 'ER record confirms',
    });
    await expect(
      orgkit.runWithRequestScope({ session: officer }, () =>
        orgkit.reviewEmergencyAccess(grant.id, { outcome: 'inappropriate' }),
      ),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(
      orgkit.runWithRequestScope({ session: officer }, () =>
        orgkit.reviewEmergencyAccess(grant.id, { outcome: 'maybe' } as never),
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(
      await orgkit.runWithRequestScope({ session: officer }, () =>
        orgkit.listEmergencyAccessForReview(),
      ),
    ).toEqual([]);
    expect(await events(database.db, 'access.emergency_list_read')).toHaveLength(2);
    expect(await events(database.db, 'access.emergency_reviewed')).toMatchObject([
      { actor: 'user_officer', subjects: 'user_pat', metadata: { outcome: 'appropriate' } },
    ]);
    // The grant row is changed only by its one review, and never deleted.
    await expect(
      database.db.execute(
        sql`UPDATE orgkit_emergency_access SET expires_at = now() + interval '9 days'`,
      ),
    ).rejects.toThrow();
    await expect(database.db.execute(sql`DELETE FROM orgkit_emergency_access`)).rejects.toThrow();
    expect((await orgkit.verifyAuditChain()).valid).toBe(true);
  });
});

describe('the emergencyAccess table option', () => {
  it('adds one SELECT policy reading the grants once per query, and is refused where nothing is selected', () => {
    const text = generateRlsSql(model, { target: 'postgres' });
    const policy = text.split('\n').find((l) => l.includes('patient_notes_select_emergency'));
    expect(policy).toBeDefined();
    const body = text.slice(text.indexOf('patient_notes_select_emergency'));
    expect(body).toContain(
      '("workos_org_id", "patient_id") IN (SELECT g.workos_org_id, g.subject_id FROM "public"."orgkit_emergency_access" g',
    );
    expect(body).toMatch(/g\.grantee_workos_user_id = \(select .*->> 'sub'\)/);
    expect(body).toContain('g.expires_at > now()');
    for (const rule of [
      { kind: 'internal' as const, emergencyAccess: { subjectColumn: 'patient_id' } },
      {
        kind: 'owner' as const,
        userColumn: 'u',
        commands: { select: false },
        emergencyAccess: { subjectColumn: 'patient_id' },
      },
      { kind: 'owner' as const, userColumn: 'u', emergencyAccess: { subjectColumn: 'bad column' } },
    ]) {
      expect(() => defineRlsModel({ tables: { t: rule } })).toThrow(/emergencyAccess/);
    }
  });
});
