import { describe, expect, it } from 'vitest';
import { auditRows } from '../preferences/audit-support.js';
import { DATABASE_TARGETS } from '../support/databases.js';
import { clinic, eventsFor, setupWorkOSEmulator } from '../sync/support.js';
import {
  claimsOf,
  type Instance,
  instancesPerTest,
  nextSecond,
  sessionRevokedEvent,
  setupTokenIssuer,
  TOPOLOGIES,
  within,
} from './support.js';

const env = setupWorkOSEmulator();
const issuer = setupTokenIssuer();

/** A token saying `userId` is an admin of `organizationId`, as WorkOS mints it now. */
const adminToken = (userId: string, organizationId: string) =>
  issuer.tokens.mint({
    sub: userId,
    org_id: organizationId,
    role: 'admin',
    roles: ['admin'],
    permissions: ['org:manage'],
  });

const ALLOWED = { guard: 'allowed', hasPermission: true, getAccess: true };
const FORBIDDEN = { guard: 'forbidden:missing_permission', hasPermission: false, getAccess: false };
const REVOKED = {
  guard: 'unauthenticated:session_revoked',
  hasPermission: false,
  getAccess: false,
};

// Two instances over one database: A receives the webhook; B learns of it only through Redis
// (its role cache would keep the old record for ten minutes). Without Redis, A alone.

describe.each(DATABASE_TARGETS)('revocation on $name', (target) => {
  describe.each(TOPOLOGIES)('$name', ({ instances: count }) => {
    const open = instancesPerTest(
      target,
      count,
      () => env.workos,
      () => issuer.tokens,
    );

    /**
     * Ada is an admin of Harbor Clinic in WorkOS and in the mirror, and holds a token that says so.
     * Every instance has her record cached before the change.
     */
    async function setup() {
      const opened = await open();
      const { t, instances } = opened;
      const { ada, org, adaMembership } = await clinic(env.workos);
      await instances[0]!.orgkit.syncWorkOSEvents();
      const token = await adminToken(ada.id, org.id);
      for (const instance of instances) {
        expect(await instance.may(token, 'org:manage')).toEqual(ALLOWED);
      }
      await opened.settle();
      return { t, instances, ada, org, adaMembership, token };
    }

    /** Every instance answers `expected` for `token` within one second of the webhook. */
    async function everywhereWithinOneSecond(
      instances: Instance[],
      token: string,
      permission: 'org:manage' | 'org:read' | 'billing:manage',
      expected: unknown,
    ) {
      for (const instance of instances) {
        await within(
          1000,
          () => instance.may(token, permission),
          (answer) => JSON.stringify(answer) === JSON.stringify(expected),
        );
      }
    }

    it('a deleted membership ends the token’s organization claims at once; a newer token counts', async () => {
      const { instances, org, adaMembership, token, ada } = await setup();
      await env.workos.userManagement.deleteOrganizationMembership(adaMembership.id);
      const [deleted] = await eventsFor(
        env.emulator,
        'organization_membership.deleted',
        adaMembership.id,
      );
      await instances[0]!.deliver(deleted!);

      await everywhereWithinOneSecond(instances, token, 'org:manage', FORBIDDEN);
      // The token still claims the role: only the mirror's word counts for it now.
      expect(claimsOf(token)).toMatchObject({ role: 'admin', permissions: ['org:manage'] });
      for (const instance of instances) {
        expect(await instance.may(token, 'org:read')).toEqual({
          ...FORBIDDEN,
          guard: 'forbidden:missing_permission',
        });
      }

      // Added back in WorkOS: a token minted after the change is honoured everywhere.
      await nextSecond();
      const newer = await adminToken(ada.id, org.id);
      for (const instance of instances) {
        expect(await instance.may(newer, 'org:manage')).toEqual(ALLOWED);
      }
    });

    it('a role changed to one without the permission takes it at once, keeping what remains', async () => {
      const { instances, org, adaMembership, token, ada } = await setup();
      await env.workos.userManagement.updateOrganizationMembership(adaMembership.id, {
        roleSlug: 'member',
      });
      const [updated] = await eventsFor(
        env.emulator,
        'organization_membership.updated',
        adaMembership.id,
      );
      await instances[0]!.deliver(updated!);

      await everywhereWithinOneSecond(instances, token, 'org:manage', FORBIDDEN);
      for (const instance of instances) {
        // Still a member: the mirror grants what the member role grants.
        expect(await instance.may(token, 'org:read')).toEqual(ALLOWED);
      }

      // A token minted afterwards counts with its claims, also those the mirror has not seen yet.
      await nextSecond();
      const newer = await issuer.tokens.mint({
        sub: ada.id,
        org_id: org.id,
        role: 'member',
        roles: ['member', 'billing_admin'],
        permissions: ['org:read', 'billing:manage'],
      });
      for (const instance of instances) {
        expect(await instance.may(newer, 'billing:manage')).toEqual(ALLOWED);
        expect(await instance.may(token, 'billing:manage')).toEqual(FORBIDDEN);
      }
    });

    it('a deleted user’s tokens are refused everywhere, and the revocation is audited', async () => {
      const { t, instances, ada, token } = await setup();
      await env.workos.userManagement.deleteUser(ada.id);
      const [deleted] = await eventsFor(env.emulator, 'user.deleted', ada.id);
      await instances[0]!.deliver(deleted!);

      await everywhereWithinOneSecond(instances, token, 'org:read', REVOKED);
      for (const instance of instances) {
        await expect(instance.orgkit.verifyAccessToken(token)).rejects.toMatchObject({
          code: 'unauthenticated',
          reason: 'session_revoked',
        });
      }
      expect(await auditRows(t.db, 'user.sessions_revoked')).toEqual([
        expect.objectContaining({
          actorSystem: 'workos-webhook',
          resourceId: ada.id,
          metadata: { userId: ada.id, cause: 'user.deleted', eventId: deleted!.id },
        }),
      ]);
    });

    it('a session.revoked event refuses that session’s tokens only', async () => {
      const { t, instances, ada, org, token } = await setup();
      const other = await issuer.tokens.mint({ sub: ada.id, org_id: org.id, role: 'admin' });
      const sid = claimsOf(token).sid as string;
      const event = sessionRevokedEvent(ada.id, sid);
      await instances[0]!.deliver(event);

      await everywhereWithinOneSecond(instances, token, 'org:manage', REVOKED);
      for (const instance of instances) {
        expect(await instance.may(other, 'org:manage')).toEqual(ALLOWED);
      }
      expect(await auditRows(t.db, 'session.revoked')).toEqual([
        expect.objectContaining({
          actorSystem: 'workos-webhook',
          resourceType: 'session',
          resourceId: sid,
          metadata: { userId: ada.id, cause: 'session.revoked', eventId: event.id },
        }),
      ]);
    });
  });
});
