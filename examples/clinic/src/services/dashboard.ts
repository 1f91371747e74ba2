import { isOrgkitError } from 'orgkit';
import {
  type ClinicPreferences,
  preferencesSchema,
  SETUP_STEP_LABELS,
  SETUP_STEPS,
  type SetupStep,
} from '../access.js';
import type { ClinicOrgkit } from '../orgkit.js';
import { echoValues, type FormResult, fieldErrors } from './form-errors.js';

/** One onboarding step as the dashboard shows it. */
export interface SetupStepView {
  step: SetupStep;
  label: string;
  done: boolean;
}

/** The expert dashboard's data. */
export interface ExpertDashboard {
  steps: SetupStepView[];
  /** The step to do next; `undefined` once setup is complete. */
  nextStep: SetupStep | undefined;
  completed: number;
  isSetupComplete: boolean;
  preferences: ClinicPreferences;
}

// Checkboxes are absent when unticked; numbers arrive as text.
function preferencesFromForm(input: Record<string, unknown>) {
  const reminder = input.reminderMinutes;
  return {
    emailNotifications: input.emailNotifications === 'on' || input.emailNotifications === 'true',
    reminderMinutes:
      typeof reminder === 'string' && /^\d{1,6}$/.test(reminder.trim())
        ? Number(reminder.trim())
        : reminder,
    theme: input.theme,
    language: input.language,
  };
}

/** The expert's own setup and preferences, for the session's user. */
export function createDashboardService(orgkit: ClinicOrgkit) {
  async function load(): Promise<ExpertDashboard> {
    const status = await orgkit.checkExpertSetupStatus();
    const steps = SETUP_STEPS.map((step) => ({
      step,
      label: SETUP_STEP_LABELS[step],
      done: status.setupStatus[step] === true,
    }));
    return {
      steps,
      nextStep: steps.find((s) => !s.done)?.step,
      completed: steps.filter((s) => s.done).length,
      isSetupComplete: status.isSetupComplete,
      preferences: await orgkit.getUserPreferences(),
    };
  }

  /**
   * Completes the next setup step. Steps go one by one: only the next one is accepted, so a
   * stale tab cannot skip ahead. `orgkit.markStepComplete` is atomic and completes the setup with
   * the last step; the clinic records `expert_setup.step_completed` beside it.
   */
  async function completeStep(
    input: Record<string, unknown>,
  ): Promise<FormResult<ExpertDashboard>> {
    const current = await load();
    const step = input.step;
    if (current.nextStep === undefined) {
      return { ok: false, errors: { step: 'Your setup is already complete' }, values: {} };
    }
    if (step !== current.nextStep) {
      return {
        ok: false,
        errors: { step: `Complete “${SETUP_STEP_LABELS[current.nextStep]}” first` },
        values: {},
      };
    }
    const next = current.nextStep;
    const result = await orgkit.markStepComplete(next);
    await orgkit.logAuditEvent('expert_setup.step_completed', 'expert_setup', next, {
      newValues: { step: next, setupComplete: result.isSetupComplete },
    });
    return { ok: true, value: await load() };
  }

  /** Validates the preferences form and saves it with `orgkit.updateUserPreferences`. */
  async function updatePreferences(
    input: Record<string, unknown>,
  ): Promise<FormResult<ClinicPreferences>> {
    const values = echoValues(input);
    const parsed = preferencesSchema.safeParse(preferencesFromForm(input));
    if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), values };
    try {
      return { ok: true, value: await orgkit.updateUserPreferences(undefined, parsed.data) };
    } catch (error) {
      if (isOrgkitError(error) && error.code === 'invalid_input') {
        return { ok: false, errors: { form: error.message }, values };
      }
      throw error;
    }
  }

  return { load, completeStep, updatePreferences };
}
