import { describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { auditRows, expectChainsValid, expectNotInAuditLog } from '../preferences/audit-support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import {
  eventsFor,
  mirror,
  openSync,
  setupWorkOSEmulator,
  sign,
  storedCursor,
  tables,
  type WireEvent,
} from './support.js';

const env = setupWorkOSEmulator();

/** Two users in one organization: Ada an admin, Bo a member. */
async function clinic() {
  const ada = await env.workos.userManagement.createUser({ email: 'ada@example.com' });
  const bo = await env.workos.userManagement.createUser({ email: 'bo@example.com' });
  const org = await env.workos.organizations.createOrganization({ name: 'Harbor Clinic' });
  const adaMembership = await env.workos.userManagement.createOrganizationMembership({
    userId: ada.id,
    organizationId: org.id,
    roleSlug: 'admin',
  });
  const boMembership = await env.workos.userManagement.createOrganizationMembership({
    userId: bo.id,
    organizationId: org.id,
    roleSlug: 'member',
  });
  return { ada, bo, org, adaMembership, boMembership };
}

/** The id of the nth (0-based) event of `type` about membership `id`. */
async function eventId(type: string, id: string, nth = 0) {
  const events = (await eventsFor(env.emulator, type)).filter((e) => e.data.id === id);
  return events[nth]!.id;
}

const grant = (role: string, status = 'active') => ({ role, roles: [role], status });

describe.each(DATABASE_TARGETS)('membership audit events on $name', (target) => {
  it('the Events API sync records each membership as it appears, changes and goes, once', async () => {
    const t = await openTestDatabase(target);
    try {
      const { ada, bo, org, adaMembership, boMembership } = await clinic();
      const sync = openSync(t.db, env.workos);
      await sync.syncWorkOSEvents({ limit: 2 });
      const created = (membershipId: string, userId: string, role: string, event: string) => ({
        action: 'membership.created',
        organizationId: org.id,
        actorUserId: null,
        actorSystem: 'workos-sync',
        resourceType: 'membership',
        resourceId: membershipId,
        oldValues: null,
        newValues: grant(role),
        metadata: { userId, eventId: event },
      });
      const adaJoined = await eventId('organization_membership.created', adaMembership.id);
      const boJoined = await eventId('organization_membership.created', boMembership.id);
      expect(await auditRows(t.db)).toEqual([
        { ...created(adaMembership.id, ada.id, 'admin', adaJoined), seq: 1 },
        { ...created(boMembership.id, bo.id, 'member', boJoined), seq: 2 },
      ]);

      await env.workos.userManagement.updateOrganizationMembership(boMembership.id, {
        roleSlug: 'admin',
      });
      await env.workos.userManagement.deactivateOrganizationMembership(boMembership.id);
      await env.workos.userManagement.deleteOrganizationMembership(adaMembership.id);
      await sync.syncWorkOSEvents();
      const changed = (await auditRows(t.db)).slice(2);
      expect(changed).toEqual([
        expect.objectContaining({
          action: 'membership.updated',
          resourceId: boMembership.id,
          oldValues: grant('member'),
          newValues: grant('admin'),
          metadata: {
            userId: bo.id,
            eventId: await eventId('organization_membership.updated', boMembership.id, 0),
          },
        }),
        expect.objectContaining({
          action: 'membership.updated',
          resourceId: boMembership.id,
          oldValues: grant('admin'),
          newValues: grant('admin', 'inactive'),
        }),
        expect.objectContaining({
          action: 'membership.deleted',
          organizationId: org.id,
          actorSystem: 'workos-sync',
          resourceId: adaMembership.id,
          oldValues: grant('admin'),
          newValues: null,
          metadata: {
            userId: ada.id,
            eventId: await eventId('organization_membership.deleted', adaMembership.id),
          },
        }),
      ]);
      expect(changed.map((r) => r.seq)).toEqual([3, 4, 5]);

      // Nothing new: a second run, and a replay from a lost cursor, change nothing and record nothing.
      await sync.syncWorkOSEvents();
      await t.db.delete(tables.syncCursors);
      await sync.syncWorkOSEvents();
      expect(await auditRows(t.db)).toHaveLength(5);
      await expectNotInAuditLog(t.db, ['ada@example.com', 'bo@example.com']);
      await expectChainsValid(sync.audit);
    } finally {
      await t.close();
    }
  });

  it('a page that rolls back leaves no audit row, and its retry records each change once', async () => {
    const t = await openTestDatabase(target);
    try {
      await clinic();
      let crashed = false;
      // The real writer, then a crash before the page's transaction commits.
      const sync = openSync(t.db, env.workos, undefined, (audit) => async (events, options) => {
        await audit.record(events, options);
        if (crashed) return;
        crashed = true;
        throw new Error('crash after the audit write');
      });
      await expect(sync.syncWorkOSEvents()).rejects.toMatchObject({ code: 'internal' });
      expect(await auditRows(t.db)).toEqual([]);
      expect((await mirror(t.db)).memberships).toEqual([]);
      expect(await storedCursor(t.db)).toBeUndefined();

      expect(await sync.syncWorkOSEvents()).toMatchObject({ applied: 5 });
      const rows = await auditRows(t.db);
      expect(rows.map((r) => [r.action, r.seq])).toEqual([
        ['membership.created', 1],
        ['membership.created', 2],
      ]);
      await expectChainsValid(sync.audit);
    } finally {
      await t.close();
    }
  });

  it('webhooks record a change once with its event id; a grant left as it was records nothing', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const user = await env.workos.userManagement.createUser({ email: 'ada@example.com' });
      const org = await env.workos.organizations.createOrganization({ name: 'Harbor Clinic' });
      const membership = await env.workos.userManagement.createOrganizationMembership({
        userId: user.id,
        organizationId: org.id,
        roleSlug: 'member',
      });
      await env.workos.userManagement.updateOrganizationMembership(membership.id, {
        roleSlug: 'admin',
      });
      const deliver = async (event: WireEvent) => {
        const body = JSON.stringify(event);
        return (await sync.handleWorkOSWebhook(body, sign(body))).applied;
      };
      const [joined] = await eventsFor(env.emulator, 'organization_membership.created');
      const [promoted] = await eventsFor(env.emulator, 'organization_membership.updated');
      expect(await deliver(joined!)).toBe(true);
      expect(await deliver(promoted!)).toBe(true);
      expect(await deliver(promoted!)).toBe(false); // a duplicate delivery
      const webhookEvent = (action: string, event: WireEvent) => ({
        action,
        organizationId: org.id,
        actorSystem: 'workos-webhook',
        resourceType: 'membership',
        resourceId: membership.id,
        metadata: { userId: user.id, eventId: event.id },
      });
      expect(await auditRows(t.db)).toEqual([
        expect.objectContaining({
          ...webhookEvent('membership.created', joined!),
          oldValues: null,
          newValues: grant('member'),
        }),
        expect.objectContaining({
          ...webhookEvent('membership.updated', promoted!),
          oldValues: grant('member'),
          newValues: grant('admin'),
        }),
      ]);

      // A later event with the same grant updates the row (newer updatedAt) but grants nothing new.
      const later = structuredClone(promoted!);
      later.id = `${promoted!.id}_later`;
      later.data.updated_at = new Date(Date.now() + 60_000).toISOString();
      expect(await deliver(later)).toBe(true);
      expect(await auditRows(t.db)).toHaveLength(2);

      // A user deleted without membership events: the membership goes with them, and is recorded.
      await env.workos.userManagement.deleteUser(user.id);
      const [userDeleted] = await eventsFor(env.emulator, 'user.deleted', user.id);
      expect(await deliver(userDeleted!)).toBe(true);
      expect((await auditRows(t.db, 'membership.deleted')).at(-1)).toEqual({
        ...webhookEvent('membership.deleted', userDeleted!),
        actorUserId: null,
        oldValues: grant('admin'),
        newValues: null,
        metadata: { userId: user.id, eventId: userDeleted!.id, cause: 'user.deleted' },
        seq: 3,
      });
      // The deletion also ended the user's sessions: their older tokens are refused.
      expect((await auditRows(t.db)).at(-1)).toMatchObject({
        action: 'user.sessions_revoked',
        actorSystem: 'workos-webhook',
        resourceType: 'user',
        resourceId: user.id,
        metadata: { userId: user.id, eventId: userDeleted!.id, cause: 'user.deleted' },
      });
      await expectNotInAuditLog(t.db, ['ada@example.com']);
      await expectChainsValid(sync.audit);
    } finally {
      await t.close();
    }
  });

  it('through createOrgkit, synced membership changes are queryable audit events', async () => {
    const t = await openTestDatabase(target);
    const orgkit = createOrgkit({ database: t.db, workos: env.workos });
    try {
      const { org, adaMembership, boMembership } = await clinic();
      await orgkit.syncWorkOSEvents();
      const page = await orgkit.queryAuditEvents({
        organizationId: org.id,
        action: 'membership.created',
      });
      expect(page.events.map((e) => [e.resourceId, e.actor])).toEqual([
        [boMembership.id, { system: 'workos-sync' }],
        [adaMembership.id, { system: 'workos-sync' }],
      ]);
      expect((await orgkit.verifyAuditChain()).valid).toBe(true);
    } finally {
      await orgkit.close();
      await t.close();
    }
  });
});
