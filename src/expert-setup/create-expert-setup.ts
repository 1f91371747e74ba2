import * as z from 'zod';
import { createUserAuthorizer } from '../context/index.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import { scopeOrganizationOf } from '../preferences/resolve-user-id.js';
import {
  DEFAULT_EXPERT_SETUP_STEPS,
  DEFAULT_RESET_PERMISSION,
  type DefaultExpertSetupStep,
} from './default-steps.js';
import { listIncompleteExperts, readSetupStats } from './list-queries.js';
import {
  clearSetup,
  completeIfAllDone,
  insertSetupIfMissing,
  markStep,
  selectSetup,
} from './setup-queries.js';
import type { ExpertSetupApi, ExpertSetupDeps, ExpertSetupStatus } from './types.js';

const stepsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'steps use letters, digits, _ and -'))
  .min(1)
  .refine((steps) => new Set(steps).size === steps.length, 'steps must be unique');

/**
 * Builds expert-setup tracking over the `expert_setup` table.
 *
 * @example
 * ```ts
 * const setup = createExpertSetup({ db, tables, scope, hasPermission })
 * await setup.markStepComplete('profile', 'user_01H…', { actor: { system: 'import' } })
 * ```
 */
export function createExpertSetup<const S extends string = DefaultExpertSetupStep>(
  deps: ExpertSetupDeps<S>,
): ExpertSetupApi<S> {
  const { db, scope } = deps;
  const t = deps.tables.expertSetup;
  const parsedSteps = stepsSchema.safeParse(deps.steps ?? DEFAULT_EXPERT_SETUP_STEPS);
  if (!parsedSteps.success) {
    throw new OrgkitError(
      'invalid_config',
      `createOrgkit: expertSetup.steps: ${parsedSteps.error.issues[0]?.message ?? 'invalid steps'}`,
      { cause: parsedSteps.error },
    );
  }
  const steps = parsedSteps.data as [S, ...S[]];
  const stepInput = z.strictObject({ step: z.enum(steps) });
  const resetPermission = deps.resetPermission ?? DEFAULT_RESET_PERMISSION;
  const authorize =
    deps.authorizeUser ?? createUserAuthorizer({ scope, hasPermission: deps.hasPermission });

  const statusOf = (stored: Record<string, boolean> | null | undefined) =>
    Object.fromEntries(steps.map((s) => [s, stored?.[s] === true])) as Record<S, boolean>;

  // Configured steps in their order, then any stored step the configuration no longer has.
  const completedSteps = (stored: Record<string, boolean>) => [
    ...steps.filter((s) => stored[s] === true),
    ...Object.keys(stored).filter((s) => stored[s] === true && !steps.includes(s as S)),
  ];

  const toResult = (row: {
    setupStatus: Record<string, boolean>;
    setupComplete: boolean;
    setupCompletedAt: Date | null;
  }): ExpertSetupStatus<S> => ({
    setupStatus: statusOf(row.setupStatus),
    isSetupComplete: row.setupComplete,
    completedAt: row.setupCompletedAt,
  });

  return {
    async checkExpertSetupStatus(userId, options) {
      const { userId: id } = await authorize('checkExpertSetupStatus', userId, options);
      let [row] = await selectSetup(db, t, id);
      if (!row) {
        // Concurrent first calls: exactly one insert wins, the others read its row.
        [row] = await insertSetupIfMissing(db, t, id, scopeOrganizationOf(scope, id));
        row ??= (await selectSetup(db, t, id))[0];
      }
      if (!row) {
        throw new OrgkitError('conflict', 'checkExpertSetupStatus: record deleted meanwhile');
      }
      const stored = row.setupStatus;
      if (!row.setupComplete && steps.every((s) => stored[s] === true)) {
        // Every configured step is done, yet the record is open: a step was removed from config.
        const [completed] = await completeIfAllDone(db, t, id, steps);
        if (completed) row = completed;
      }
      return toResult(row);
    },

    async markStepComplete(step, userId, options) {
      const { userId: id } = await authorize('markStepComplete', userId, options);
      const parsed = parseInput(stepInput, { step }, 'markStepComplete');
      const organizationId = scopeOrganizationOf(scope, id);
      const [row] = await markStep(db, t, { userId: id, organizationId, step: parsed.step, steps });
      return toResult(row!);
    },

    async resetSetup(userId, options) {
      // The id is required: a reset names whose setup it clears, even the caller's own.
      if (userId === undefined) parseInput(z.string(), userId, 'resetSetup: userId');
      const who = await authorize('resetSetup', userId, options, {
        permission: resetPermission,
        evenForSelf: true,
      });
      const id = who.userId;
      // The clear and its audit event commit or roll back together.
      await db.transaction(async (tx) => {
        const previous = await clearSetup(tx, t, id);
        if (!previous) return;
        await deps.recordAudit?.(
          [
            {
              action: 'expert_setup.reset',
              resourceType: 'expert_setup',
              resourceId: id,
              actor: who.actor,
              organizationId: who.organizationId,
              changes: {
                oldValues: {
                  completedSteps: completedSteps(previous.setupStatus),
                  setupComplete: previous.setupComplete,
                  completedAt: previous.setupCompletedAt,
                },
                newValues: { completedSteps: [], setupComplete: false, completedAt: null },
              },
            },
          ],
          { tx },
        );
      });
      return { setupStatus: statusOf(undefined), isSetupComplete: false, completedAt: null };
    },

    getIncompleteExperts: (options) => listIncompleteExperts(db, t, options, statusOf),

    getSetupStats: (options) => readSetupStats(db, t, options),
  };
}
