'use server';
import { getSignInUrl } from '@workos-inc/authkit-nextjs';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import type { FormErrors } from '../../components/forms';
import { safeReturnTo } from '../../lib/paths';

export interface SignInState {
  errors?: FormErrors;
  email?: string;
}

const email = z.email({ error: 'Enter your work email address' }).max(254);

/**
 * Sends the expert to AuthKit with the typed email as `login_hint`. The emulator has no login
 * page and signs that user in at once; real AuthKit shows its sign-in page with the email filled.
 */
export async function startSignIn(_state: SignInState, form: FormData): Promise<SignInState> {
  const typed = String(form.get('email') ?? '').trim();
  const parsed = email.safeParse(typed);
  if (!parsed.success) return { errors: { email: 'Enter your work email address' }, email: typed };
  const url = await getSignInUrl({
    loginHint: parsed.data,
    returnTo: safeReturnTo(form.get('returnTo')),
    redirectUri: process.env.WORKOS_REDIRECT_URI,
  });
  redirect(url);
}
