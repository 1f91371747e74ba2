import type { WorkOS } from '@workos-inc/node';
import { and, eq } from 'drizzle-orm';
import type { Session } from 'orgkit';
import { type OrgkitDatabase, userOrgMemberships } from 'orgkit/drizzle';
import type { ClinicOrgkit } from '../orgkit.js';

/** What the sign-in service needs. */
export interface SignInServiceOptions {
  orgkit: ClinicOrgkit;
  db: OrgkitDatabase;
  workos: WorkOS;
  cookiePassword: string;
}

/**
 * The step after AuthKit's callback. Real WorkOS puts a user with one organization into it at
 * sign-in; the emulator signs everyone in without one. A session without an organization has no
 * `org_id` claim, so the organization's RLS policies would show it nothing: this step refreshes
 * such a session into the user's only active membership (the SDK's
 * `loadSealedSession(...).refresh({ organizationId })`) and records `session.signed_in`.
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
     * For a session without an organization, a new sealed session in the user's only
     * organization (set it as the session cookie); `undefined` when there is nothing to change.
     */
    async enterOrganization(
      session: Session,
      sealedSession: string,
    ): Promise<{ sealedSession: string; organizationId: string } | undefined> {
      if (session.organizationId) return undefined;
      const organizationId = await onlyOrganization(session.userId);
      if (!organizationId) return undefined;
      const refreshed = await o.workos.userManagement
        .loadSealedSession({ sessionData: sealedSession, cookiePassword: o.cookiePassword })
        .refresh({ cookiePassword: o.cookiePassword, organizationId });
      return refreshed.authenticated && refreshed.sealedSession
        ? { sealedSession: refreshed.sealedSession, organizationId }
        : undefined;
    },

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
