'use server';
import { saveSession } from '@workos-inc/authkit-nextjs';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import type { FormErrors } from '../../../components/forms';
import { getClinic } from '../../../lib/clinic';
import { enterOnlyOrganization } from '../../../lib/only-organization';
import { inRequestScope } from '../../../lib/request';

export interface GuestSignInState {
  errors?: FormErrors;
  email?: string;
}

const formSchema = z.object({
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email({ error: 'Enter the email address you booked with' })),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'Enter the 6-digit code from the email'),
});

/** What to tell the guest when WorkOS refuses, without saying whether the email exists. */
function refusal(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  if (status === 429) return 'Too many tries: wait a minute and try again';
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return 'That code is not right or has expired: check it, or book again for a new one';
  }
  return 'We could not reach the sign-in service: try again in a minute';
}

/**
 * A guest signs in with the code WorkOS emailed (magic auth): the clinic's WorkOS client checks
 * it, and AuthKit's `saveSession` stores the session in AuthKit's cookie, so from here on the
 * guest is signed in like anyone else and `withAuth` sees them.
 */
export async function guestSignIn(
  _state: GuestSignInState,
  form: FormData,
): Promise<GuestSignInState> {
  const typed = { email: String(form.get('email') ?? ''), code: String(form.get('code') ?? '') };
  const parsed = formSchema.safeParse(typed);
  if (!parsed.success) {
    const errors: FormErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    return { errors, email: typed.email };
  }
  const clinic = getClinic();
  const { email, code } = parsed.data;
  let signedIn: Awaited<ReturnType<typeof clinic.workos.userManagement.authenticateWithMagicAuth>>;
  try {
    signedIn = await clinic.workos.userManagement.authenticateWithMagicAuth({
      clientId: clinic.clientId,
      email,
      code,
    });
  } catch (error) {
    return { errors: { code: refusal(error) }, email: typed.email };
  }
  // Into the guest's personal organization, as the other apps' continue step does: the
  // meetings policy reads the permissions a token carries only inside an organization.
  const scoped = await enterOnlyOrganization(clinic, {
    userId: signedIn.user.id,
    refreshToken: signedIn.refreshToken,
    organizationId: signedIn.organizationId,
  });
  const tokens = scoped ?? signedIn;
  const session = await clinic.orgkit.verifyAccessToken(tokens.accessToken);
  await saveSession(
    {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      user: tokens.user,
      impersonator: tokens.impersonator,
    },
    clinic.redirectUri,
  );
  await inRequestScope(clinic, session, () =>
    clinic.signIn.recordSignIn(session, scoped?.organizationId),
  );
  redirect('/meetings');
}
