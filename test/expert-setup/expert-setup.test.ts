import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { RequestScopeStore } from '../../src/context/index.js';
import { rowsOf } from '../../src/db/database.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import { createExpertSetup, DEFAULT_EXPERT_SETUP_STEPS } from '../../src/expert-setup/index.js';
import { incompleteExpertsQuery } from '../../src/expert-setup/list-queries.js';
import { auditRows, expectChainsValid, openAudit } from '../preferences/audit-support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { appRolePermissionCheck, JOB, rejection, sessionFor } from './support.js';

const NOTHING_DONE = {
  profile: false,
  availability: false,
  events: false,
  identity: false,
  payment: false,
  google_account: false,
};

async function open<const S extends string = (typeof DEFAULT_EXPERT_SETUP_STEPS)[number]>(
  target: { url: string | undefined },
  steps?: readonly S[],
) {
  const database = await openTestDatabase(target);
  const tables = createOrgkitTables();
  const scope = new RequestScopeStore();
  const audit = openAudit(database.db, tables, scope);
  // The real audit writer; `crashAfterAudit` makes the next reset fail once its event is written.
  const faults = { crashAfterAudit: false };
  const setup = createExpertSetup({
    db: database.db,
    tables,
    scope,
    steps,
    hasPermission: appRolePermissionCheck(database.db, tables),
    recordAudit: async (events, options) => {
      await audit.record(events, options);
      if (!faults.crashAfterAudit) return;
      faults.crashAfterAudit = false;
      throw new Error('crash after the audit write');
    },
  });
  const rows = async (userId: string) =>
    database.db
      .select()
      .from(tables.expertSetup)
      .where(eq(tables.expertSetup.workosUserId, userId));
  return { ...database, tables, scope, setup, audit, faults, rows };
}

describe.each(DATABASE_TARGETS)('expert setup on $name', (target) => {
  it('creates the record on the first status check, for the session user when no id is given', async () => {
    const t = await open(target);
    try {
      const status = await t.scope.run(
        { session: sessionFor('user_x', { organizationId: 'org_1' }) },
        () => t.setup.checkExpertSetupStatus(),
      );
      expect(status).toEqual({
        setupStatus: NOTHING_DONE,
        isSetupComplete: false,
        completedAt: null,
      });
      expect(await t.setup.checkExpertSetupStatus('user_x', JOB)).toEqual(status);
      const rows = await t.rows('user_x');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.workosOrgId).toBe('org_1');
      expect((await rejection(t.setup.checkExpertSetupStatus())).code).toBe('unauthenticated');
    } finally {
      await t.close();
    }
  });

  it('creates exactly one record when 50 callers check at once', async () => {
    const t = await open(target);
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => t.setup.checkExpertSetupStatus('user_x', JOB)),
      );
      expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
      expect(await t.rows('user_x')).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('marks steps idempotently and completes the setup in the statement that lands the last step', async () => {
    const t = await open(target);
    try {
      const first = await t.setup.markStepComplete('profile', 'user_x', JOB);
      expect(first).toEqual({
        setupStatus: { ...NOTHING_DONE, profile: true },
        isSetupComplete: false,
        completedAt: null,
      });
      expect(await t.setup.markStepComplete('profile', 'user_x', JOB)).toEqual(first);
      for (const step of DEFAULT_EXPERT_SETUP_STEPS.slice(1, -1)) {
        expect((await t.setup.markStepComplete(step, 'user_x', JOB)).isSetupComplete).toBe(false);
      }
      const done = await t.setup.markStepComplete('google_account', 'user_x', JOB);
      expect(done.isSetupComplete).toBe(true);
      expect(done.completedAt).toBeInstanceOf(Date);
      expect(Object.values(done.setupStatus).every(Boolean)).toBe(true);
      const [row] = await t.rows('user_x');
      // now() is the statement's transaction time: equal stamps mean one statement wrote both.
      expect(row?.setupCompletedAt?.getTime()).toBe(row?.updatedAt.getTime());
      const again = await t.setup.markStepComplete('events', 'user_x', JOB);
      expect(again).toEqual(done);
      expect(await t.setup.checkExpertSetupStatus('user_x', JOB)).toEqual(done);
    } finally {
      await t.close();
    }
  });

  it('rejects an unknown step naming it, and writes nothing', async () => {
    const t = await open(target);
    try {
      const error = await rejection(t.setup.markStepComplete('billing' as never, 'user_x', JOB));
      expect(error).toMatchObject({ code: 'invalid_input', details: { key: 'step' } });
      expect(error.message).toContain('step');
      expect((await rejection(t.setup.markStepComplete('profile', '', JOB))).code).toBe(
        'invalid_input',
      );
      expect(await t.rows('user_x')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('loses no step when 50 callers complete 50 different steps at once', async () => {
    const steps = Array.from({ length: 50 }, (_, i) => `step_${i}`);
    const t = await open(target, steps);
    try {
      const results = await Promise.all(
        steps.map((s) => t.setup.markStepComplete(s, 'user_x', JOB)),
      );
      expect(results.filter((r) => r.isSetupComplete)).toHaveLength(1);
      const [row] = await t.rows('user_x');
      expect(row?.setupStatus).toEqual(Object.fromEntries(steps.map((s) => [s, true])));
      expect(row?.setupComplete).toBe(true);
      expect(row?.setupCompletedAt).toBeInstanceOf(Date);
    } finally {
      await t.close();
    }
  });

  it('completes the six seed steps when 50 callers race over them', async () => {
    const t = await open(target);
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.setup.markStepComplete(DEFAULT_EXPERT_SETUP_STEPS[i % 6]!, 'user_x', JOB),
        ),
      );
      const status = await t.setup.checkExpertSetupStatus('user_x', JOB);
      expect(status.isSetupComplete).toBe(true);
      expect(Object.values(status.setupStatus).every(Boolean)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('lets only a holder of experts:manage reset a setup, and records the reset in the audit log once', async () => {
    const t = await open(target);
    try {
      await t.db.insert(t.tables.users).values([
        { workosUserId: 'user_admin', email: 'admin@example.com', role: 'admin' },
        { workosUserId: 'user_expert', email: 'expert@example.com', role: 'expert_top' },
      ]);
      await t.setup.markStepComplete('profile', 'user_x', JOB);
      await t.setup.markStepComplete('payment', 'user_x', JOB);
      const asUser = (userId: string | undefined, fn: () => Promise<unknown>) =>
        t.scope.run(
          { session: userId ? sessionFor(userId, { organizationId: 'org_clinic' }) : undefined },
          fn,
        );

      const forbidden = await rejection(asUser('user_expert', () => t.setup.resetSetup('user_x')));
      expect(forbidden).toMatchObject({
        code: 'forbidden',
        details: { missing: ['experts:manage'] },
      });
      expect((await rejection(asUser(undefined, () => t.setup.resetSetup('user_x')))).code).toBe(
        'unauthenticated',
      );
      expect((await t.setup.checkExpertSetupStatus('user_x', JOB)).setupStatus.profile).toBe(true);
      expect(await auditRows(t.db)).toEqual([]);

      const reset = await asUser('user_admin', () => t.setup.resetSetup('user_x'));
      expect(reset).toEqual({
        setupStatus: NOTHING_DONE,
        isSetupComplete: false,
        completedAt: null,
      });
      expect(await t.setup.checkExpertSetupStatus('user_x', JOB)).toEqual(reset);
      expect(await auditRows(t.db)).toEqual([
        {
          action: 'expert_setup.reset',
          organizationId: 'org_clinic',
          actorUserId: 'user_admin',
          actorSystem: null,
          resourceType: 'expert_setup',
          resourceId: 'user_x',
          oldValues: {
            completedSteps: ['profile', 'payment'],
            setupComplete: false,
            completedAt: null,
          },
          newValues: { completedSteps: [], setupComplete: false, completedAt: null },
          metadata: null,
          seq: 1,
        },
      ]);
      // No record, nothing cleared: nothing to record.
      await asUser('user_admin', () => t.setup.resetSetup('user_nobody'));
      expect(await t.rows('user_nobody')).toEqual([]);
      expect(await auditRows(t.db)).toHaveLength(1);
      await expectChainsValid(t.audit);
    } finally {
      await t.close();
    }
  });

  it('records a completed setup as it was, and rolls back the reset and its event together', async () => {
    const t = await open(target, ['profile', 'payment']);
    try {
      await t.db
        .insert(t.tables.users)
        .values({ workosUserId: 'user_admin', email: 'admin@example.com', role: 'admin' });
      await t.setup.markStepComplete('profile', 'user_x', JOB);
      const done = await t.setup.markStepComplete('payment', 'user_x', JOB);
      const asAdmin = <T>(fn: () => Promise<T>) =>
        t.scope.run({ session: sessionFor('user_admin') }, fn);

      t.faults.crashAfterAudit = true;
      await expect(asAdmin(() => t.setup.resetSetup('user_x'))).rejects.toThrow(
        'crash after the audit write',
      );
      expect(await t.setup.checkExpertSetupStatus('user_x', JOB)).toEqual(done);
      expect(await auditRows(t.db)).toEqual([]);

      await asAdmin(() => t.setup.resetSetup('user_x'));
      const [row] = await auditRows(t.db);
      expect(row).toMatchObject({
        organizationId: null, // the admin's session names no organization
        oldValues: {
          completedSteps: ['profile', 'payment'],
          setupComplete: true,
          completedAt: done.completedAt!.toISOString(),
        },
        seq: 1,
      });
      await expectChainsValid(t.audit);
    } finally {
      await t.close();
    }
  });

  it('pages through incomplete experts only, each exactly once', async () => {
    const t = await open(target, ['profile', 'payment']);
    try {
      const users = Array.from({ length: 25 }, (_, i) => `user_${String(i).padStart(2, '0')}`);
      for (const [i, user] of users.entries()) {
        await t.setup.markStepComplete('profile', user, JOB);
        if (i % 5 === 0) await t.setup.markStepComplete('payment', user, JOB);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await t.setup.getIncompleteExperts({ limit: 7, cursor });
        for (const expert of page.experts) {
          expect(expert.setupStatus).toEqual({ profile: true, payment: false });
          expect(expert.createdAt).toBeInstanceOf(Date);
          seen.push(expert.userId);
        }
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual(users.filter((_, i) => i % 5 !== 0));
      expect((await t.setup.getIncompleteExperts()).experts).toHaveLength(20);
      for (const options of [
        { limit: 0 },
        { limit: 101 },
        { cursor: 'not-a-cursor' },
        { offset: 3 },
      ]) {
        const error = await rejection(t.setup.getIncompleteExperts(options as never));
        expect(error.code).toBe('invalid_input');
      }
    } finally {
      await t.close();
    }
  });

  it('lists incomplete experts through the (setup_complete, id) index', async () => {
    const t = await open(target);
    try {
      await t.db.execute(sql`
        INSERT INTO expert_setup (workos_user_id, setup_complete)
        SELECT 'user_' || g, g % 20 <> 0 FROM generate_series(1, 5000) AS g`);
      await t.db.execute(sql`ANALYZE expert_setup`);
      const firstPage = await t.setup.getIncompleteExperts({ limit: 10 });
      expect(firstPage.nextCursor).not.toBeNull();
      for (const cursor of [undefined, firstPage.nextCursor ?? undefined]) {
        const query = incompleteExpertsQuery(t.db, t.tables.expertSetup, { limit: 10, cursor });
        const plan = rowsOf<{ 'QUERY PLAN': string }>(await t.db.execute(sql`EXPLAIN ${query}`))
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        expect(plan).toContain('expert_setup_incomplete_idx');
        expect(plan).not.toMatch(/Seq Scan/);
      }
    } finally {
      await t.close();
    }
  });

  it('counts complete and incomplete setups, with a completion rate of 0 when there are none', async () => {
    const t = await open(target, ['profile']);
    try {
      expect(await t.setup.getSetupStats()).toEqual({
        total: 0,
        complete: 0,
        incomplete: 0,
        completionRate: 0,
      });
      await t.setup.markStepComplete('profile', 'user_a', JOB);
      await t.setup.checkExpertSetupStatus('user_b', JOB);
      await t.setup.checkExpertSetupStatus('user_c', JOB);
      await t.setup.markStepComplete('profile', 'user_d', JOB);
      expect(await t.setup.getSetupStats()).toEqual({
        total: 4,
        complete: 2,
        incomplete: 2,
        completionRate: 50,
      });
    } finally {
      await t.close();
    }
  });

  it("narrows the numbers and the incomplete list to one organization's experts", async () => {
    const t = await open(target);
    try {
      await t.db.execute(sql`
        INSERT INTO expert_setup (workos_user_id, workos_org_id, setup_complete) VALUES
          ('user_h1', 'org_harbor', true), ('user_h2', 'org_harbor', false),
          ('user_h3', 'org_harbor', false), ('user_l1', 'org_lakeside', false),
          ('user_n1', NULL, true)`);
      expect(await t.setup.getSetupStats({ organizationId: 'org_harbor' })).toMatchObject({
        total: 3,
        complete: 1,
        incomplete: 2,
      });
      expect(await t.setup.getSetupStats({ organizationId: 'org_nobody' })).toMatchObject({
        total: 0,
      });
      expect((await t.setup.getSetupStats()).total).toBe(5);
      const harbor = await t.setup.getIncompleteExperts({ organizationId: 'org_harbor', limit: 1 });
      const next = await t.setup.getIncompleteExperts({
        organizationId: 'org_harbor',
        cursor: harbor.nextCursor!,
      });
      expect([...harbor.experts, ...next.experts].map((e) => e.userId).sort()).toEqual([
        'user_h2',
        'user_h3',
      ]);
      expect(next.nextCursor).toBeNull();
      for (const bad of [{ organizationId: '' }, { organizationId: 'org\u0000x' }, { org: 'x' }]) {
        expect((await rejection(t.setup.getSetupStats(bad as never))).code).toBe('invalid_input');
        expect((await rejection(t.setup.getIncompleteExperts(bad as never))).code).toBe(
          'invalid_input',
        );
      }
    } finally {
      await t.close();
    }
  });

  it('follows the configured steps when they change: an added step shows as open, a removed one no longer holds an expert back', async () => {
    const t = await open(target, ['profile', 'payment', 'identity']);
    try {
      await t.setup.markStepComplete('profile', 'user_x', JOB);
      await t.setup.markStepComplete('payment', 'user_x', JOB);
      const fewer = createExpertSetup({
        db: t.db,
        tables: t.tables,
        scope: t.scope,
        steps: ['profile', 'payment'],
        hasPermission: async () => false,
      });
      const status = await fewer.checkExpertSetupStatus('user_x', JOB);
      expect(status).toMatchObject({
        setupStatus: { profile: true, payment: true },
        isSetupComplete: true,
      });
      expect(status.completedAt).toBeInstanceOf(Date);
      expect((await fewer.getIncompleteExperts()).experts).toEqual([]);
      const more = createExpertSetup({
        db: t.db,
        tables: t.tables,
        scope: t.scope,
        steps: ['profile', 'payment', 'tax_form'],
        hasPermission: async () => false,
      });
      // Completion is kept: an expert who finished onboarding is not sent back to it.
      expect(await more.checkExpertSetupStatus('user_x', JOB)).toEqual({
        ...status,
        setupStatus: { profile: true, payment: true, tax_form: false },
      });
    } finally {
      await t.close();
    }
  });
});

describe('expert setup configuration', () => {
  it('refuses empty, duplicate or malformed steps', async () => {
    const t = await openTestDatabase({ url: undefined });
    try {
      const base = {
        db: t.db,
        tables: createOrgkitTables(),
        scope: new RequestScopeStore(),
        hasPermission: async () => false,
      };
      for (const steps of [[], ['profile', 'profile'], ['has space']]) {
        expect(() => createExpertSetup({ ...base, steps })).toThrowError(
          expect.objectContaining({
            code: 'invalid_config',
            message: expect.stringContaining('expertSetup.steps'),
          }),
        );
      }
    } finally {
      await t.close();
    }
  });
});
