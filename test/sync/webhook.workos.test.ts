import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import {
  eventsFor,
  mirror,
  openSync,
  SECRET,
  setupWorkOSEmulator,
  sign,
  tables,
  wireEvents,
} from './support.js';

const env = setupWorkOSEmulator();

/** A user, an organization and a membership created in WorkOS, then its role changed. */
async function membershipHistory() {
  const user = await env.workos.userManagement.createUser({
    email: 'ada@example.com',
    firstName: 'Ada',
  });
  const org = await env.workos.organizations.createOrganization({ name: 'Harbor Clinic' });
  const membership = await env.workos.userManagement.createOrganizationMembership({
    userId: user.id,
    organizationId: org.id,
    roleSlug: 'member',
  });
  await env.workos.userManagement.updateOrganizationMembership(membership.id, {
    roleSlug: 'admin',
  });
  const [created] = await eventsFor(env.emulator, 'organization_membership.created');
  const [updated] = await eventsFor(env.emulator, 'organization_membership.updated');
  return {
    user,
    org,
    membership,
    created: JSON.stringify(created),
    updated: JSON.stringify(updated),
  };
}

/** {@link membershipHistory}, then the membership deleted: the three events as delivered. */
async function deletedMembership() {
  const history = await membershipHistory();
  await env.workos.userManagement.deleteOrganizationMembership(history.membership.id);
  const deleted = (await eventsFor(env.emulator, 'organization_membership.deleted'))[0];
  return { ...history, deleted: JSON.stringify(deleted) };
}

describe.each(DATABASE_TARGETS)('handleWorkOSWebhook on $name', (target) => {
  it('applies signed user, organization and membership events and invalidates the user', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const { user, org, membership } = await membershipHistory();
      for (const event of await wireEvents(env.emulator)) {
        const body = JSON.stringify(event);
        const result = await sync.handleWorkOSWebhook(body, sign(body));
        expect(result).toMatchObject({ eventId: event.id, event: event.event, applied: true });
      }
      expect(await mirror(t.db)).toEqual({
        users: [{ id: user.id, email: 'ada@example.com', firstName: 'Ada', role: 'user' }],
        organizations: [{ id: org.id, name: 'Harbor Clinic', externalId: null }],
        memberships: [
          {
            id: membership.id,
            userId: user.id,
            orgId: org.id,
            role: 'admin',
            roles: ['admin'],
            status: 'active',
          },
        ],
      });
      expect(new Set(sync.invalidated)).toEqual(new Set([user.id]));
    } finally {
      await t.close();
    }
  });

  it('refuses forged, foreign, stale, tampered and malformed signatures and writes nothing', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const { updated } = await membershipHistory();
      const tampered = updated.replace('"admin"', '"owner"');
      const [, digest] = sign(updated).split('v1=');
      const cases: [string, string, string | null | undefined][] = [
        ['missing_signature', updated, undefined],
        ['missing_signature', updated, ''],
        ['malformed_signature', updated, 'garbage'],
        ['malformed_signature', updated, `v1=${digest}, t=${Date.now()}`],
        ['signature_mismatch', updated, `t=${Date.now()}, v1=${'ab'.repeat(32)}`],
        ['signature_mismatch', updated, sign(updated, 'whsec_someone_else')],
        ['signature_mismatch', tampered, sign(updated)],
        ['stale_timestamp', updated, sign(updated, SECRET, Date.now() - 181_000)],
        ['future_timestamp', updated, sign(updated, SECRET, Date.now() + 181_000)],
        ['malformed_payload', 'not json', sign('not json')],
      ];
      for (const [reason, body, header] of cases) {
        await expect(sync.handleWorkOSWebhook(body, header), reason).rejects.toMatchObject({
          code: 'webhook_invalid',
          reason,
        });
      }
      expect(await mirror(t.db)).toEqual({ users: [], organizations: [], memberships: [] });
      expect(sync.invalidated).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('keeps the newer row when an older event arrives after it', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const { created, updated, user } = await membershipHistory();
      expect(await sync.handleWorkOSWebhook(updated, sign(updated))).toMatchObject({
        applied: true,
      });
      expect(await sync.handleWorkOSWebhook(created, sign(created))).toMatchObject({
        event: 'organization_membership.created',
        applied: false,
      });
      const [row] = (await mirror(t.db)).memberships;
      expect(row).toMatchObject({ role: 'admin', roles: ['admin'] });
      expect(sync.invalidated).toEqual([user.id]);
    } finally {
      await t.close();
    }
  });

  it('a duplicate delivery changes nothing and invalidates nobody', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const { updated } = await membershipHistory();
      await sync.handleWorkOSWebhook(updated, sign(updated));
      const m = tables.userOrgMemberships;
      const [before] = await t.db.select().from(m);
      sync.invalidated.length = 0;
      const again = await sync.handleWorkOSWebhook(updated, sign(updated));
      expect(again.applied).toBe(false);
      expect(await t.db.select().from(m)).toEqual([before]);
      expect(sync.invalidated).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('a delete removes the row, but not a row newer than the event', async () => {
    const { created, updated, deleted, membership, user } = await deletedMembership();
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      // The deleted event carries the object as last updated (role admin): older than nothing here.
      await sync.handleWorkOSWebhook(created, sign(created));
      expect(await sync.handleWorkOSWebhook(deleted, sign(deleted))).toMatchObject({
        applied: true,
      });
      expect((await mirror(t.db)).memberships).toEqual([]);
      expect(sync.invalidated).toEqual([user.id, user.id]);
    } finally {
      await t.close();
    }
    // A delete that is older than the row (a later update) leaves the row alone.
    const fresh = await openTestDatabase(target);
    try {
      const sync = openSync(fresh.db, env.workos);
      await sync.handleWorkOSWebhook(updated, sign(updated));
      const m = tables.userOrgMemberships;
      await fresh.db
        .update(m)
        .set({ workosUpdatedAt: new Date(Date.now() + 60_000) })
        .where(eq(m.workosMembershipId, membership.id));
      expect(await sync.handleWorkOSWebhook(deleted, sign(deleted))).toMatchObject({
        applied: false,
      });
      expect((await mirror(fresh.db)).memberships).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('never brings back what was deleted: late, replayed or out-of-order events write nothing', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const { created, updated, deleted } = await deletedMembership();
      const deliver = async (body: string) =>
        (await sync.handleWorkOSWebhook(body, sign(body))).applied;

      // The deletion arrives first; the creation and the update it followed arrive late.
      expect(await deliver(deleted)).toBe(false);
      expect(await deliver(created)).toBe(false);
      expect(await deliver(updated)).toBe(false);
      expect((await mirror(t.db)).memberships).toEqual([]);

      // In order, then the older events again (webhook retries): the role stays gone.
      const other = await openTestDatabase(target);
      try {
        const inOrder = openSync(other.db, env.workos);
        for (const body of [created, updated, deleted])
          await inOrder.handleWorkOSWebhook(body, sign(body));
        for (const body of [created, updated]) {
          expect((await inOrder.handleWorkOSWebhook(body, sign(body))).applied).toBe(false);
        }
        expect((await mirror(other.db)).memberships).toEqual([]);
      } finally {
        await other.close();
      }

      // A membership event of a user or organization deleted since is not applied either.
      const ada = await env.workos.userManagement.createUser({ email: 'late@example.com' });
      const clinic = await env.workos.organizations.createOrganization({ name: 'Late Clinic' });
      await env.workos.userManagement.createOrganizationMembership({
        userId: ada.id,
        organizationId: clinic.id,
      });
      const joined = (await eventsFor(env.emulator, 'organization_membership.created')).find(
        (e) => e.data.user_id === ada.id,
      );
      await env.workos.userManagement.deleteUser(ada.id);
      const [userDeleted] = await eventsFor(env.emulator, 'user.deleted', ada.id);
      expect(joined && userDeleted).toBeDefined();
      expect(await deliver(JSON.stringify(userDeleted))).toBe(false);
      expect(await deliver(JSON.stringify(joined))).toBe(false);
      expect((await mirror(t.db)).memberships).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('deleting an organization or a user removes their memberships too', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const { user, org } = await membershipHistory();
      const other = await env.workos.userManagement.createUser({ email: 'bo@example.com' });
      const acme = await env.workos.organizations.createOrganization({ name: 'Acme' });
      await env.workos.userManagement.createOrganizationMembership({
        userId: other.id,
        organizationId: org.id,
      });
      await env.workos.userManagement.createOrganizationMembership({
        userId: user.id,
        organizationId: acme.id,
      });
      for (const event of await wireEvents(env.emulator)) {
        const body = JSON.stringify(event);
        await sync.handleWorkOSWebhook(body, sign(body));
      }
      expect((await mirror(t.db)).memberships).toHaveLength(3);
      sync.invalidated.length = 0;
      // Only the organization.deleted event: the membership events it also causes are not sent.
      await env.workos.organizations.deleteOrganization(org.id);
      const orgDeleted = JSON.stringify((await eventsFor(env.emulator, 'organization.deleted'))[0]);
      expect(await sync.handleWorkOSWebhook(orgDeleted, sign(orgDeleted))).toMatchObject({
        applied: true,
      });
      let rows = await mirror(t.db);
      expect(rows.organizations.map((o) => o.name)).toEqual(['Acme']);
      expect(rows.memberships.map((m) => m.orgId)).toEqual([acme.id]);
      expect(new Set(sync.invalidated)).toEqual(new Set([user.id, other.id]));

      await env.workos.userManagement.deleteUser(user.id);
      const userDeleted = JSON.stringify((await eventsFor(env.emulator, 'user.deleted'))[0]);
      await sync.handleWorkOSWebhook(userDeleted, sign(userDeleted));
      rows = await mirror(t.db);
      expect(rows.users.map((u) => u.id)).toEqual([other.id]);
      expect(rows.memberships).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it("updates a user's profile but never the app role", async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const user = await env.workos.userManagement.createUser({ email: 'ada@example.com' });
      await env.workos.userManagement.updateUser({ userId: user.id, firstName: 'Ada' });
      const [created] = await eventsFor(env.emulator, 'user.created');
      const [updated] = await eventsFor(env.emulator, 'user.updated');
      const createdBody = JSON.stringify(created);
      await sync.handleWorkOSWebhook(createdBody, sign(createdBody));
      const u = tables.users;
      await t.db.update(u).set({ role: 'admin' }).where(eq(u.workosUserId, user.id));
      const updatedBody = JSON.stringify(updated);
      expect(await sync.handleWorkOSWebhook(updatedBody, sign(updatedBody))).toMatchObject({
        applied: true,
      });
      expect((await mirror(t.db)).users).toEqual([
        { id: user.id, email: 'ada@example.com', firstName: 'Ada', role: 'admin' },
      ]);
    } finally {
      await t.close();
    }
  });

  it('acknowledges events it does not mirror, and skips mirrored ones with malformed data', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      const other = JSON.stringify({
        id: 'event_01',
        event: 'dsync.group.created',
        data: { id: 'directory_grp_1' },
        created_at: new Date().toISOString(),
      });
      expect(await sync.handleWorkOSWebhook(other, sign(other))).toEqual({
        eventId: 'event_01',
        event: 'dsync.group.created',
        applied: false,
      });
      const { created } = await membershipHistory();
      const event = JSON.parse(created) as { data: Record<string, unknown> };
      delete event.data.organization_id;
      const broken = JSON.stringify(event);
      expect(await sync.handleWorkOSWebhook(broken, sign(broken))).toMatchObject({
        applied: false,
      });
      expect((await mirror(t.db)).memberships).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('handleWorkOSWebhook configuration and input', () => {
  it('names the missing workos client or webhook secret, and rejects a body that is not text', async () => {
    const t = await openTestDatabase(DATABASE_TARGETS[0]!);
    try {
      const body = '{}';
      await expect(
        openSync(t.db, undefined).handleWorkOSWebhook(body, sign(body)),
      ).rejects.toMatchObject({ code: 'invalid_config', details: { key: 'workos' } });
      await expect(
        openSync(t.db, env.workos, 'none').handleWorkOSWebhook(body, sign(body)),
      ).rejects.toMatchObject({
        code: 'invalid_config',
        details: { key: 'webhooks.secret' },
        message: expect.stringMatching(/webhooks\.secret/),
      });
      await expect(
        openSync(t.db, env.workos).handleWorkOSWebhook(Buffer.from(body) as never, sign(body)),
      ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/rawBody/) });
    } finally {
      await t.close();
    }
  });
});
