import { and, eq } from 'drizzle-orm';
import type { Session } from 'orgkit';
import { type OrgkitDatabase, userOrgMemberships } from 'orgkit/drizzle';
import type { ClinicOrgkit } from '../orgkit.js';

/** What the sign-in service needs. */
export interface SignInServiceOptions {
  orgkit: ClinicOrgkit;
  db: OrgkitDatabase;
}

/**
 * The step after AuthKit's callback. Real WorkOS puts a user with one organization into it at
 * sign-in; the emulator signs everyone in without one. A session without an organization has no
 * `org_id` claim, so the organization's RLS policies would show it nothing: this service names
 * the user's only active membership for the app to move the session into (the adapters'
 * `auth.switchOrganization`), and records `session.signed_in`.
 */
export function createSignInService(o: SignInServiceOptions) {
  async function onlyOrganization(userId: string): Promise<string | undefined> {
    const rows = await o.db
      .select({ organizationId: userOrgMemberships.workosOrgId })
      .from(userOrgMemberships)
      .where(
        and(eq(userOrgMemberships.workosUserId, userId), eq(userOrgMemberships.status, 'active')),
      );
    return rows.length === 1 ? rows[0]?.organizationId : undefined;
  }

  return {
    /**
     * For a session without an organization, the user's only active organization (switch the
     * session into it); `undefined` when the session has one already, or the user has none or
     * several to choose from.
     */
    organizationToEnter: async (session: Session): Promise<string | undefined> =>
      session.organizationId ? undefined : onlyOrganization(session.userId),

    /**
     * Records the sign-in, with the request's IP and user agent, in `organizationId` (the one
     * just entered) or else the session's.
     */
    recordSignIn: (session: Session, organizationId?: string) =>
      o.orgkit.logAuditEvent(
        'session.signed_in',
        'session',
        session.sessionId ?? null,
        null,
        null,
        {
          organizationId: organizationId ?? session.organizationId ?? null,
        },
      ),
  };
}
