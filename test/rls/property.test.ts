import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRls } from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { asNoClaims, prepare, rows } from './support.js';
import {
  type Claims,
  KEY_COLUMN,
  type MatrixTable,
  seed,
  visibleKeys,
  type World,
} from './world.js';

// Runs per database; CI raises it (ORGKIT_RLS_PROPERTY_RUNS=2000 is ~100k checks).
const RUNS = Number(process.env.ORGKIT_RLS_PROPERTY_RUNS ?? 200);
const TABLES: MatrixTable[] = [
  'events',
  'meetings',
  'profiles',
  'payment_transfers',
  'users',
  'user_preferences',
  'expert_setup',
  'organizations',
  'user_org_memberships',
];

const org = fc.constantFrom('org_0', 'org_1', 'org_2', 'org_3');
const user = fc.constantFrom('user_0', 'user_1', 'user_2', 'user_3', 'user_4');
const worldArb = fc
  .record({
    events: fc.array(org, { maxLength: 8 }),
    meetings: fc.array(fc.record({ org, guest: fc.option(user, { nil: null }) }), { maxLength: 8 }),
    profiles: fc.array(user, { maxLength: 6 }),
    transfers: fc.array(org, { maxLength: 6 }),
    users: fc.uniqueArray(user, { maxLength: 5 }),
    preferences: fc.uniqueArray(user, { maxLength: 5 }),
    expertSetup: fc.uniqueArray(user, { maxLength: 5 }),
    organizations: fc.uniqueArray(org, { maxLength: 4 }),
    memberships: fc.array(
      fc.record({ user, org, status: fc.constantFrom('active' as const, 'inactive' as const) }),
      { maxLength: 8 },
    ),
  })
  .map(
    (w): World => ({
      events: w.events.map((o, i) => ({ id: `e${i}`, org: o })),
      meetings: w.meetings.map((m, i) => ({ id: `m${i}`, ...m })),
      profiles: w.profiles.map((u, i) => ({ id: `p${i}`, user: u })),
      transfers: w.transfers.map((o, i) => ({ id: `t${i}`, org: o })),
      users: w.users,
      preferences: w.preferences,
      expertSetup: w.expertSetup,
      organizations: w.organizations,
      memberships: w.memberships.map((m, i) => ({ id: `om${i}`, ...m })),
      audit: [],
    }),
  );
// Who asks: each user with some token organization (or none) and some permissions, and nobody.
const actorArb = fc.option(
  fc.record({
    sub: user,
    org: fc.option(org, { nil: undefined }),
    permissions: fc.subarray(['audit:read', 'meetings:delete']),
  }),
  { nil: undefined },
);

describe.each(DATABASE_TARGETS)('RLS property on $name', (database) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(database);
    await prepare(test, 'postgres');
  });
  afterAll(() => test?.close());

  it(`every SELECT returns exactly the rows the model allows (${RUNS} worlds)`, async () => {
    let checks = 0;
    await fc.assert(
      fc.asyncProperty(
        worldArb,
        fc.array(actorArb, { minLength: 1, maxLength: 6 }),
        async (world, actors) => {
          await test.db.execute(
            sql`TRUNCATE events, meetings, profiles, payment_transfers, users, user_preferences, expert_setup, organizations, user_org_memberships`,
          );
          await seed(test.db, world, false);
          for (const actor of actors) {
            const readAll = async (
              tx: Parameters<Parameters<typeof test.db.transaction>[0]>[0],
            ) => {
              const seen: Record<string, string[]> = {};
              for (const table of TABLES) {
                const got = await rows<{ k: string }>(
                  tx,
                  sql.raw(`SELECT ${KEY_COLUMN[table]} AS k FROM ${table}`),
                );
                seen[table] = got.map((r) => r.k).sort();
              }
              return seen;
            };
            const seen = actor
              ? await withRls(
                  test.db,
                  sessionFor(actor.sub, {
                    organizationId: actor.org,
                    permissions: [...actor.permissions],
                  }),
                  readAll,
                )
              : await asNoClaims(test.db, readAll);
            const claims: Claims | undefined = actor && {
              sub: actor.sub,
              org: actor.org,
              permissions: actor.permissions,
            };
            const expected = Object.fromEntries(
              TABLES.map((t) => [t, visibleKeys(world, t, claims)]),
            );
            expect(seen).toEqual(expected);
            checks += TABLES.length;
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(checks).toBeGreaterThanOrEqual(RUNS * TABLES.length);
  }, 600_000);
});
