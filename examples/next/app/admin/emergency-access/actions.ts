'use server';
import { revalidatePath } from 'next/cache';
import { signedIn } from '../../../lib/request';

export interface ReviewState {
  error?: string;
}

const formFields = (form: FormData) =>
  Object.fromEntries(
    [...form.entries()].filter(([key, value]) => !key.startsWith('$') && typeof value === 'string'),
  );

/** Records the verdict on one grant (`orgkit.reviewEmergencyAccess`: once, never one's own). */
export async function reviewGrant(_state: ReviewState, form: FormData): Promise<ReviewState> {
  const { clinic, run } = await signedIn({ requiredPermission: 'experts:manage' });
  const result = await run(() => clinic.emergencyAccess.review(formFields(form)));
  if (!result.ok) return { error: Object.values(result.errors)[0] ?? 'That did not work' };
  revalidatePath('/admin/emergency-access');
  return {};
}
