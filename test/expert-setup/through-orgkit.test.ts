import { describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { JOB, sessionFor } from './support.js';

describe.each(DATABASE_TARGETS)('expert setup through createOrgkit on $name', (target) => {
  it('tracks the session expert, resets only for experts:manage, and reports stats', async () => {
    const t = await openTestDatabase(target);
    const orgkit = createOrgkit({
      database: t.db,
      expertSetup: { steps: ['profile', 'payment'] },
    });
    try {
      await t.db.insert(orgkit.tables.users).values([
        { workosUserId: 'user_admin', email: 'admin@example.com', role: 'admin' },
        { workosUserId: 'user_expert', email: 'expert@example.com', role: 'expert_top' },
      ]);
      const as = <T>(userId: string, fn: () => Promise<T>) =>
        orgkit.runWithRequestScope({ session: sessionFor(userId) }, fn);

      expect(await as('user_expert', () => orgkit.checkExpertSetupStatus())).toEqual({
        setupStatus: { profile: false, payment: false },
        isSetupComplete: false,
        completedAt: null,
      });
      await as('user_expert', () => orgkit.markStepComplete('profile'));
      const done = await as('user_expert', () => orgkit.markStepComplete('payment'));
      expect(done.isSetupComplete).toBe(true);
      await orgkit.checkExpertSetupStatus('user_late', JOB);
      expect(await orgkit.getSetupStats()).toEqual({
        total: 2,
        complete: 1,
        incomplete: 1,
        completionRate: 50,
      });
      expect((await orgkit.getIncompleteExperts()).experts.map((e) => e.userId)).toEqual([
        'user_late',
      ]);

      await expect(as('user_expert', () => orgkit.resetSetup('user_expert'))).rejects.toMatchObject(
        { code: 'forbidden' },
      );
      await as('user_admin', () => orgkit.resetSetup('user_expert'));
      expect((await orgkit.checkExpertSetupStatus('user_expert', JOB)).isSetupComplete).toBe(false);
      const { events } = await orgkit.queryAuditEvents({ organizationId: null });
      expect(events).toEqual([
        expect.objectContaining({
          action: 'expert_setup.reset',
          actor: { userId: 'user_admin' },
          resourceType: 'expert_setup',
          resourceId: 'user_expert',
          changes: {
            oldValues: expect.objectContaining({ completedSteps: ['profile', 'payment'] }),
            newValues: { completedSteps: [], setupComplete: false, completedAt: null },
          },
        }),
      ]);
      expect((await orgkit.verifyAuditChain()).valid).toBe(true);
    } finally {
      await orgkit.close();
      await t.close();
    }
  });

  it('names a bad expertSetup option at construction', async () => {
    const t = await openTestDatabase(target);
    try {
      expect(() => createOrgkit({ database: t.db, expertSetup: { steps: [] } })).toThrowError(
        expect.objectContaining({
          code: 'invalid_config',
          message: expect.stringMatching(/expertSetup\.steps/),
        }),
      );
    } finally {
      await t.close();
    }
  });
});
