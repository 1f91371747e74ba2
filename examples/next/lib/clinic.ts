import 'server-only';
import type { Clinic } from '@orgkit-examples/clinic';
import { withAuth as authkitWithAuth } from '@workos-inc/authkit-nextjs';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { createNextAuth } from 'orgkit/next';
import { CLINIC_SLOT } from './clinic-slot';

export type { Clinic };

/** The clinic server.ts started for this process. */
function clinic(): Clinic {
  const started = (globalThis as Record<symbol, Clinic | undefined>)[CLINIC_SLOT];
  if (!started) {
    throw new Error('the clinic is not running: start the app with npm run example:next');
  }
  return started;
}

/**
 * AuthKit's `withAuth`, except that a signed-out visitor goes to the clinic's own sign-in form,
 * which asks for the email first (the emulator then signs in whoever that is).
 */
async function authkit(options?: { ensureSignedIn?: boolean }) {
  const info = await authkitWithAuth();
  if (!info.user && options?.ensureSignedIn) {
    const url = (await headers()).get('x-url');
    const returnTo = url ? new URL(url).pathname : '/dashboard';
    redirect(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
  }
  return info;
}

function makeAuth() {
  // src/server.ts sets X-Forwarded-For to the socket's address: the one hop to trust.
  return createNextAuth(clinic().orgkit, { authkit, trustProxy: 1 });
}
let auth: ReturnType<typeof makeAuth> | undefined;

/**
 * The clinic and orgkit's Next adapter over it. `auth.withAuth(rule)` verifies AuthKit's access
 * token with orgkit, checks the rule and returns `{ session, user, roles }`.
 */
export function getClinic(): Clinic & { auth: ReturnType<typeof makeAuth> } {
  auth ??= makeAuth();
  return { ...clinic(), auth };
}
