import 'server-only';
import { headers } from 'next/headers';
import type { Session } from 'orgkit';
import type { RouteRule } from 'orgkit/next';
import { type Clinic, getClinic } from './clinic';

/**
 * The client's IP and user agent, for the audit log and the guest limits. server.ts sets
 * `X-Forwarded-For` to the socket's address, replacing whatever the client sent.
 */
export async function requestInfo() {
  const h = await headers();
  return {
    ipAddress: h.get('x-forwarded-for') ?? undefined,
    userAgent: h.get('user-agent') ?? undefined,
  };
}

/**
 * Runs `fn` in orgkit's request scope, so the clinic's services know who asks (`session`; none
 * for the public booking form) and the audit log records the IP and user agent: for the public
 * form and the sign-in steps, where no `withAuth` has run (pages behind sign-in use its `run`).
 */
export async function inRequestScope<T>(
  clinic: Clinic,
  session: Session | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  return clinic.orgkit.runWithRequestScope({ session, ...(await requestInfo()) }, fn);
}

type Rule = RouteRule<Clinic['orgkit']['accessControl']>;

/**
 * For pages and server actions behind sign-in: checks `rule` with orgkit's Next adapter
 * (signed-out visitors go to sign-in, forbidden ones to `/forbidden`), then returns the session
 * and the adapter's `run`, which calls the clinic in the request scope (session, IP, user agent).
 */
export async function signedIn(rule: Rule = {}) {
  const clinic = getClinic();
  const { session, user, roles, run } = await clinic.auth.withAuth({
    redirectTo: '/forbidden',
    ...rule,
  });
  return { clinic, session, user, roles, run };
}
