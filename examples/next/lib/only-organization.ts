import 'server-only';
import type { Clinic } from '@orgkit-examples/clinic';

/**
 * Real WorkOS puts a user with one organization into it at sign-in; the emulator signs everyone
 * in without one, and a token without `org_id` carries no organization permissions, so the
 * clinic's RLS policies (which ask for the token's `meetings:read`) would show it nothing. This
 * refreshes such a session into the user's only active organization; `undefined` when the
 * session has one already or the user has none or several.
 */
export async function enterOnlyOrganization(
  clinic: Clinic,
  signedIn: { userId: string; refreshToken: string; organizationId?: string | undefined },
) {
  if (signedIn.organizationId) return undefined;
  const { data } = await clinic.workos.userManagement.listOrganizationMemberships({
    userId: signedIn.userId,
    statuses: ['active'],
  });
  const only = data.length === 1 ? data[0]?.organizationId : undefined;
  if (!only) return undefined;
  const scoped = await clinic.workos.userManagement.authenticateWithRefreshToken({
    clientId: clinic.clientId,
    refreshToken: signedIn.refreshToken,
    organizationId: only,
  });
  return { ...scoped, organizationId: only };
}
