import { handleAuth, saveSession } from '@workos-inc/authkit-nextjs';
import { type NextRequest, NextResponse } from 'next/server';
import { getClinic } from '../../../lib/clinic';
import { enterOnlyOrganization } from '../../../lib/only-organization';
import { inRequestScope } from '../../../lib/request';

/**
 * AuthKit's callback (`handleAuth`), plus two clinic steps once WorkOS has signed the user in:
 * a session without an organization is refreshed into the user's only one and saved again
 * (`enterOnlyOrganization`, AuthKit's `saveSession`); then the sign-in is recorded, with the
 * request's IP and user agent.
 */
export function GET(request: NextRequest) {
  return handleAuth({
    returnPathname: '/dashboard',
    async onSuccess({ accessToken, refreshToken, user, organizationId, authenticationMethod }) {
      const clinic = getClinic();
      let token = accessToken;
      let orgId = organizationId;
      const scoped = await enterOnlyOrganization(clinic, {
        userId: user.id,
        refreshToken,
        organizationId,
      });
      if (scoped) {
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
        orgId = scoped.organizationId;
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
