import { handleAuth, saveSession } from '@workos-inc/authkit-nextjs';
import { type NextRequest, NextResponse } from 'next/server';
import { getClinic } from '../../../lib/clinic';
import { inRequestScope } from '../../../lib/request';

/**
 * AuthKit's callback (`handleAuth`), plus two clinic steps once WorkOS has signed the user in.
 * Real WorkOS puts a user with one organization into it at sign-in; the emulator signs everyone
 * in without one, and a token without `org_id` would see nothing of the organization through its
 * RLS policies. So such a session is refreshed into the user's only organization and saved again
 * (AuthKit's `saveSession`). Then the sign-in is recorded, with the request's IP and user agent.
 */
export function GET(request: NextRequest) {
  return handleAuth({
    returnPathname: '/dashboard',
    async onSuccess({ accessToken, refreshToken, user, organizationId, authenticationMethod }) {
      const clinic = getClinic();
      let token = accessToken;
      let orgId = organizationId;
      if (!orgId) {
        const { data } = await clinic.workos.userManagement.listOrganizationMemberships({
          userId: user.id,
          statuses: ['active'],
        });
        const only = data.length === 1 ? data[0]?.organizationId : undefined;
        if (only) {
          const scoped = await clinic.workos.userManagement.authenticateWithRefreshToken({
            clientId: clinic.clientId,
            refreshToken,
            organizationId: only,
          });
          await saveSession(
            {
              accessToken: scoped.accessToken,
              refreshToken: scoped.refreshToken,
              user: scoped.user,
              impersonator: scoped.impersonator,
              authenticationMethod,
            },
            request,
          );
          token = scoped.accessToken;
          orgId = only;
        }
      }
      const session = await clinic.orgkit.verifyAccessToken(token);
      await inRequestScope(clinic, session, () => clinic.signIn.recordSignIn(session, orgId));
    },
    // The emulator answers an unknown `login_hint` with `error=user_not_found`; anything else
    // (a replayed or forged callback) is a failed sign-in. Either way, back to the form.
    onError({ request: failed }) {
      const reason =
        failed.nextUrl.searchParams.get('error') === 'user_not_found' ? 'unknown_user' : 'failed';
      return NextResponse.redirect(new URL(`/sign-in?error=${reason}`, failed.url));
    },
  })(request);
}
