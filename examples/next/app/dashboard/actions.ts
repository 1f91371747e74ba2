'use server';
import { revalidatePath } from 'next/cache';
import type { FormErrors } from '../../components/forms';
import { signedIn } from '../../lib/request';

export interface StepState {
  error?: string;
}

export interface PreferencesState {
  saved?: boolean;
  errors?: FormErrors;
  values?: Record<string, string>;
}

const formFields = (form: FormData) =>
  Object.fromEntries(
    [...form.entries()].filter(([key, value]) => !key.startsWith('$') && typeof value === 'string'),
  );

/** Completes the expert's next setup step (the clinic accepts only the next one). */
export async function completeStep(_state: StepState, form: FormData): Promise<StepState> {
  const { clinic, run } = await signedIn({ requiredRole: 'expert' });
  const result = await run(() => clinic.dashboard.completeStep(formFields(form)));
  if (!result.ok) return { error: result.errors.step ?? 'That did not work: reload and try again' };
  revalidatePath('/dashboard');
  return {};
}

/** Saves the preferences form with `orgkit.updateUserPreferences` (validated by its zod schema). */
export async function savePreferences(
  _state: PreferencesState,
  form: FormData,
): Promise<PreferencesState> {
  const { clinic, run } = await signedIn({ requiredRole: 'expert' });
  const fields = formFields(form);
  const result = await run(() => clinic.dashboard.updatePreferences(fields));
  if (!result.ok) return { errors: result.errors, values: result.values };
  revalidatePath('/dashboard');
  const p = result.value;
  return {
    saved: true,
    values: {
      reminderMinutes: String(p.reminderMinutes),
      theme: p.theme,
      language: p.language,
      ...(p.emailNotifications ? { emailNotifications: 'on' } : {}),
    },
  };
}
