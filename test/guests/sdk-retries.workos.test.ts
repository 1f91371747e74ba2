import { describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { createFaultyFetch, type FaultRule } from '../../src/testing/fault-fetch.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { SDK_RESENDS_POSTS } from '../support/workos-sdk.js';
import { mirrorState, recordingFetch, setupEmulator, workosState } from './support.js';

// The emulator ignores `Idempotency-Key`, so a create the SDK resends is applied again unless
// something else refuses the duplicate.
const env = setupEmulator();

const CREATES = [
  'POST /user_management/users',
  'POST /organizations',
  'POST /user_management/organization_memberships',
] as const;

// Ways an answer is lost after WorkOS applied the request, each of which the SDK retries on its
// own: the connection drops, a 5xx, and the SDK's own timeout (a 408 to it).
const LOST_ANSWERS = ['connection_reset', 'server_error', 'timeout'] as const;

/**
 * An orgkit over a WorkOS client as an app would build it, with the SDK's default retries (no
 * `maxRetries: 0`); only `fetchFn` (for the faults) and a short `timeout` (so a lost answer
 * through the SDK's own timeout does not take its default 60 s) are set.
 */
function orgkitWithSdkRetries(
  db: Parameters<typeof createOrgkit>[0]['database'],
  faults: FaultRule[],
) {
  const fetchFn = recordingFetch(createFaultyFetch({ faults }));
  const workos = env.emulator.createClient({ fetchFn, timeout: 1_000 });
  const orgkit = createOrgkit({
    database: db,
    workos,
    clientId: env.emulator.clientId,
    guests: { retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 6 } },
  });
  return { orgkit, fetchFn };
}

async function expectOneOfEach(
  email: string,
  guest: { workosUserId: string; organizationId: string },
) {
  const inWorkOS = await workosState(env.workos, email);
  expect({
    users: inWorkOS.users.map((u) => u.id),
    organizations: inWorkOS.organizations.map((o) => o.id),
    memberships: inWorkOS.memberships.map((m) => [m.userId, m.organizationId]),
  }).toEqual({
    users: [guest.workosUserId],
    organizations: [guest.organizationId],
    memberships: [[guest.workosUserId, guest.organizationId]],
  });
}

describe.each(DATABASE_TARGETS)(
  'guest provisioning over a client with the SDK default retries on $name',
  (target) => {
    describe.each(LOST_ANSWERS)('answer lost by %s', (fault) => {
      it.each(CREATES)(
        'gives one user, organization and membership when the answer to %s is lost',
        async (create) => {
          const t = await openTestDatabase(target);
          try {
            const path = create.split(' ')[1]!;
            const { orgkit, fetchFn } = orgkitWithSdkRetries(t.db, [
              { fault, deliver: true, method: 'POST', path, calls: [1] },
            ]);
            const guest = await orgkit.createOrGetGuestUser({ email: 'fay@example.com' });
            expect(guest.magicAuthSent).toBe(true);
            await expectOneOfEach('fay@example.com', guest);
            const mirrored = await mirrorState(t.db, guest.workosUserId);
            expect([
              mirrored.users.length,
              mirrored.organizations.map((o) => o.workosOrgId),
              mirrored.memberships.map((m) => m.workosOrgId),
            ]).toEqual([1, [guest.organizationId], [guest.organizationId]]);
            // orgkit asks the SDK not to resend the organization's create: the one sent was applied,
            // and orgkit found it instead of sending another.
            if (create === 'POST /organizations') {
              expect(fetchFn.count('POST /organizations')).toBe(1);
              expect(fetchFn.count('GET /organizations/external_id/')).toBe(1);
            }
          } finally {
            await t.close();
          }
        },
      );
    });

    it('gives one of each when the answers to every create are lost twice', async () => {
      const t = await openTestDatabase(target);
      try {
        const { orgkit, fetchFn } = orgkitWithSdkRetries(
          t.db,
          CREATES.map((create) => ({
            fault: 'connection_reset',
            deliver: true,
            method: 'POST',
            path: create.split(' ')[1]!,
            calls: [1, 2],
          })),
        );
        const guest = await orgkit.createOrGetGuestUser({
          email: 'gil@example.com',
          firstName: 'Gil',
        });
        await expectOneOfEach('gil@example.com', guest);
        // SDK ≥ 10.8 resent the user's and the membership's creates (WorkOS refused the duplicates
        // with 409, which orgkit answered with a look-up); older SDKs never resend, and orgkit's
        // look-up finds each applied create. The organization's create only orgkit repeated.
        for (const path of [
          '/user_management/users',
          '/user_management/organization_memberships',
        ]) {
          if (SDK_RESENDS_POSTS) expect(fetchFn.count(`POST ${path}`)).toBeGreaterThan(2);
          else expect(fetchFn.count(`POST ${path}`)).toBe(1);
        }
        expect(fetchFn.count('POST /organizations')).toBe(1);
      } finally {
        await t.close();
      }
    });
  },
);
