import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { mirror, openSync, setupWorkOSEmulator, tables } from './support.js';

const env = setupWorkOSEmulator();

/** Three users, two organizations, four memberships in WorkOS. */
async function seedWorkOS() {
  const users = [];
  for (const name of ['ada', 'bo', 'cy']) {
    users.push(await env.workos.userManagement.createUser({ email: `${name}@example.com` }));
  }
  const orgs = [];
  for (const name of ['Harbor Clinic', 'Lake Clinic']) {
    orgs.push(await env.workos.organizations.createOrganization({ name }));
  }
  const pairs = [
    [0, 0],
    [1, 0],
    [1, 1],
    [2, 1],
  ] as const;
  const memberships = [];
  for (const [u, o] of pairs) {
    memberships.push(
      await env.workos.userManagement.createOrganizationMembership({
        userId: users[u]!.id,
        organizationId: orgs[o]!.id,
      }),
    );
  }
  return { users, orgs, memberships };
}

type Drift = 'keep' | 'stale' | 'missing';
const drift = fc.constantFrom<Drift>('keep', 'stale', 'missing');
const LONG_AGO = new Date('2001-01-01T00:00:00Z');
const dayAgo = () => new Date(Date.now() - 24 * 60 * 60 * 1000);

/** Makes one mirror row stale (older, different) or missing. */
async function apply(
  db: OrgkitDatabase,
  kind: 'user' | 'organization' | 'membership',
  id: string,
  what: Drift,
) {
  if (what === 'keep') return;
  if (kind === 'user') {
    const t = tables.users;
    if (what === 'missing') await db.delete(t).where(eq(t.workosUserId, id));
    else
      await db
        .update(t)
        .set({ email: 'stale@example.com', workosUpdatedAt: LONG_AGO })
        .where(eq(t.workosUserId, id));
  } else if (kind === 'organization') {
    const t = tables.organizations;
    if (what === 'missing') await db.delete(t).where(eq(t.workosOrgId, id));
    else
      await db
        .update(t)
        .set({ name: 'Stale', workosUpdatedAt: LONG_AGO })
        .where(eq(t.workosOrgId, id));
  } else {
    const t = tables.userOrgMemberships;
    if (what === 'missing') await db.delete(t).where(eq(t.workosMembershipId, id));
    else
      await db
        .update(t)
        .set({ role: 'stale', roles: ['stale'], workosUpdatedAt: LONG_AGO })
        .where(eq(t.workosMembershipId, id));
  }
}

/** The mirror, memberships by id (support's `mirror` orders them by user only). */
async function sortedMirror(db: OrgkitDatabase) {
  const rows = await mirror(db);
  return { ...rows, memberships: rows.memberships.sort((a, b) => a.id.localeCompare(b.id)) };
}

const tally = (drifts: Drift[], ghosts: number) => ({
  upserted: drifts.filter((d) => d !== 'keep').length,
  removed: ghosts,
  unchanged: drifts.filter((d) => d === 'keep').length,
  skipped: 0,
});

describe.each(DATABASE_TARGETS)('reconcileWorkOSMirror on any drift ($name)', (target) => {
  it('restores the mirror WorkOS implies, counts each repair, and then has nothing to do (property)', async () => {
    const t = await openTestDatabase(target);
    try {
      const seeded = await seedWorkOS();
      const sync = openSync(t.db, env.workos);
      await sync.syncWorkOSEvents();
      const truth = await sortedMirror(t.db);
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(drift, { minLength: 3, maxLength: 3 }),
          fc.array(drift, { minLength: 2, maxLength: 2 }),
          fc.array(drift, { minLength: 4, maxLength: 4 }),
          fc.integer({ min: 0, max: 3 }),
          async (userDrift, orgDrift, membershipDrift, ghosts) => {
            run++;
            for (const [i, d] of userDrift.entries()) {
              await apply(t.db, 'user', seeded.users[i]!.id, d);
            }
            for (const [i, d] of orgDrift.entries()) {
              await apply(t.db, 'organization', seeded.orgs[i]!.id, d);
            }
            for (const [i, d] of membershipDrift.entries()) {
              await apply(t.db, 'membership', seeded.memberships[i]!.id, d);
            }
            for (let g = 0; g < ghosts; g++) {
              await t.db.insert(tables.users).values({
                workosUserId: `user_ghost_${run}_${g}`,
                email: `ghost${g}@example.com`,
                workosUpdatedAt: dayAgo(),
              });
            }
            const report = await sync.reconcileWorkOSMirror();
            expect(report.users).toEqual(tally(userDrift, ghosts));
            expect(report.organizations).toEqual(tally(orgDrift, 0));
            expect(report.memberships).toEqual(tally(membershipDrift, 0));
            expect(await sortedMirror(t.db)).toEqual(truth);
            const again = await sync.reconcileWorkOSMirror();
            expect(again.users).toEqual(tally(['keep', 'keep', 'keep'], 0));
            expect(again.organizations).toEqual(tally(['keep', 'keep'], 0));
            expect(again.memberships).toEqual(tally(['keep', 'keep', 'keep', 'keep'], 0));
          },
        ),
        { numRuns: 8 },
      );
    } finally {
      await t.close();
    }
  });
});
