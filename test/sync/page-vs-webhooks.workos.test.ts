import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { mirror, openSync, setupWorkOSEmulator, sign, tables, wireEvents } from './support.js';

const env = setupWorkOSEmulator();

/**
 * Two organizations, six users each a member of both, some roles and a name changed, then a
 * user, a membership and an organization deleted: every kind of mirrored event, many of them
 * about the same users and organizations.
 */
async function busyClinic() {
  const um = env.workos.userManagement;
  const orgs = [
    await env.workos.organizations.createOrganization({ name: 'Harbor Clinic' }),
    await env.workos.organizations.createOrganization({ name: 'Hill Clinic' }),
  ];
  const users = [];
  for (let i = 0; i < 6; i++) {
    users.push(await um.createUser({ email: `patient${i}@example.com`, firstName: `P${i}` }));
  }
  const memberships = [];
  for (const user of users) {
    for (const org of orgs) {
      memberships.push(
        await um.createOrganizationMembership({ userId: user.id, organizationId: org.id }),
      );
    }
  }
  for (const m of memberships.slice(0, 4)) {
    await um.updateOrganizationMembership(m.id, { roleSlug: 'admin' });
  }
  await um.updateUser({ userId: users[0]!.id, firstName: 'Renamed' });
  await um.deleteUser(users[4]!.id);
  await um.deleteOrganizationMembership(memberships[10]!.id); // user 5 in the first organization
  await env.workos.organizations.deleteOrganization(orgs[1]!.id);
  return { users, orgs, memberships };
}

const tombstoned = async (db: OrgkitDatabase) =>
  (
    await db
      .select({ kind: tables.mirrorTombstones.kind, id: tables.mirrorTombstones.workosId })
      .from(tables.mirrorTombstones)
      .orderBy(asc(tables.mirrorTombstones.workosId))
  ).map((r) => `${r.kind}:${r.id}`);

describe.each(DATABASE_TARGETS)('an Events page and concurrent webhooks ($name)', (target) => {
  it('the same events through both paths at once, webhooks in reverse order: no deadlock, the mirror as a lone sync leaves it', async () => {
    const { users, orgs, memberships } = await busyClinic();
    const events = await wireEvents(env.emulator);
    expect(events.length).toBeGreaterThan(25);
    expect(events.length).toBeLessThan(100);

    // What the events give applied by one sync alone.
    const alone = await openTestDatabase(target);
    let expected: Awaited<ReturnType<typeof mirror>>;
    let expectedTombstones: string[];
    try {
      await openSync(alone.db, env.workos).syncWorkOSEvents();
      expected = await mirror(alone.db);
      expectedTombstones = await tombstoned(alone.db);
    } finally {
      await alone.close();
    }
    // The deletions are in it: without user 4, the deleted membership and organization.
    expect(expected.users.map((u) => u.id)).not.toContain(users[4]!.id);
    expect(expected.organizations.map((o) => o.id)).toEqual([orgs[0]!.id]);
    expect(expected.memberships.map((m) => m.id).sort()).toEqual(
      memberships
        .filter((m) => m.organizationId === orgs[0]!.id && m.userId !== users[4]!.id)
        .filter((m) => m.id !== memberships[10]!.id)
        .map((m) => m.id)
        .sort(),
    );

    // One page of all events, and pages of four, each against every webhook.
    for (const limit of [100, 4]) {
      const t = await openTestDatabase(target, { maxConnections: 12 });
      try {
        const sync = openSync(t.db, env.workos);
        const webhooks = [...events].reverse().map((event) => {
          const body = JSON.stringify(event);
          return sync.handleWorkOSWebhook(body, sign(body));
        });
        const settled = await Promise.allSettled([sync.syncWorkOSEvents({ limit }), ...webhooks]);
        expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
        expect(await mirror(t.db), `pages of ${limit}`).toEqual(expected);
        expect(await tombstoned(t.db)).toEqual(expectedTombstones);
      } finally {
        await t.close();
      }
    }
  });
});
