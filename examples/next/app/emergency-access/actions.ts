'use server';
import { redirect } from 'next/navigation';
import type { FormErrors } from '../../components/forms';
import { signedIn } from '../../lib/request';

export interface BreakGlassState {
  errors?: FormErrors;
  values?: Record<string, string>;
}

const formFields = (form: FormData) =>
  Object.fromEntries(
    [...form.entries()].filter(([key, value]) => !key.startsWith('$') && typeof value === 'string'),
  );

/** Breaks the glass for the patient (`orgkit.breakGlass`), then shows the meetings it opened. */
export async function breakGlass(
  _state: BreakGlassState,
  form: FormData,
): Promise<BreakGlassState> {
  const { clinic, run } = await signedIn({ requiredRole: 'expert' });
  const result = await run(() => clinic.emergencyAccess.breakGlass(formFields(form)));
  if (!result.ok) return { errors: result.errors, values: result.values };
  redirect('/meetings');
}
