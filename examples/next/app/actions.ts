'use server';
import { signOut } from '@workos-inc/authkit-nextjs';

/** Ends the AuthKit session (WorkOS's logout URL, then back to the home page). */
export async function signOutAction(): Promise<void> {
  const home = new URL('/', process.env.WORKOS_REDIRECT_URI).href;
  await signOut({ returnTo: home });
}
