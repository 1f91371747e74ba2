import { describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../src/errors/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import {
  guestMadeElsewhere,
  mirrorState,
  openOrgkit,
  setupEmulator,
  tables,
  workosState,
} from './support.js';

const env = setupEmulator();

describe.each(DATABASE_TARGETS)('createOrGetGuestUser on $name', (target) => {
  it('provisions a new guest in five WorkOS calls and mirrors it', async () => {
    const t = await openTestDatabase(target);
    try {
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db);
      const guest = await orgkit.createOrGetGuestUser({
        email: '  Ada.Lovelace@Example.COM ',
        firstName: 'Ada',
        lastName: 'Lovelace',
        metadata: { source: 'booking' },
      });
      expect(guest).toMatchObject({ created: true, magicAuthSent: true });
      expect(fetchFn.requests).toEqual([
        'GET /user_management/users',
        'POST /user_management/users',
        'POST /organizations',
        'POST /user_management/organization_memberships',
        'POST /user_management/magic_auth',
      ]);

      const inWorkOS = await workosState(env.workos, 'ada.lovelace@example.com');
      expect(inWorkOS.users).toHaveLength(1);
      expect(inWorkOS.users[0]).toMatchObject({
        id: guest.workosUserId,
        email: 'ada.lovelace@example.com',
        emailVerified: false,
        firstName: 'Ada',
        metadata: { source: 'booking' },
      });
      expect(inWorkOS.organizations.map((o) => o.id)).toEqual([guest.organizationId]);
      expect(inWorkOS.organizations[0]!.name).toBe('Ada Lovelace (personal)');
      expect(inWorkOS.memberships).toHaveLength(1);
      expect(inWorkOS.memberships[0]).toMatchObject({
        organizationId: guest.organizationId,
        role: { slug: 'owner' },
      });

      const mirrored = await mirrorState(t.db, guest.workosUserId);
      expect(mirrored.users.map((u) => u.email)).toEqual(['ada.lovelace@example.com']);
      expect(mirrored.organizations.map((o) => o.workosOrgId)).toEqual([guest.organizationId]);
      expect(mirrored.memberships.map((m) => [m.workosOrgId, m.role])).toEqual([
        [guest.organizationId, 'owner'],
      ]);
      // The role layer sees the guest at once.
      expect(
        await orgkit.getUserRoles(guest.workosUserId, { organizationId: guest.organizationId }),
      ).toEqual(expect.arrayContaining(['user', 'owner']));
    } finally {
      await t.close();
    }
  });

  it('answers a returning guest from the database, and sends a new code only after the window', async () => {
    const t = await openTestDatabase(target);
    try {
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db);
      const first = await orgkit.createOrGetGuestUser({ email: 'bo@example.com' });
      const before = fetchFn.requests.length;
      const again = await orgkit.createOrGetGuestUser({ email: 'BO@example.com' });
      expect(again).toEqual({ ...first, created: false, magicAuthSent: false });
      expect(fetchFn.requests.length).toBe(before);

      // Same database, a window of zero: the guest is known, only a new code goes out.
      const { orgkit: later, fetchFn: laterFetch } = openOrgkit(env.emulator, t.db, {
        guests: { magicAuthWindowMs: 0 },
      });
      const third = await later.createOrGetGuestUser({ email: 'bo@example.com' });
      expect(third).toEqual({ ...first, created: false, magicAuthSent: true });
      expect(laterFetch.requests).toEqual(['POST /user_management/magic_auth']);
    } finally {
      await t.close();
    }
  });

  it('sends no code when sendMagicAuth is off', async () => {
    const t = await openTestDatabase(target);
    try {
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db, {
        guests: { sendMagicAuth: false, organizationName: () => 'Guest space' },
      });
      const guest = await orgkit.createOrGetGuestUser({ email: 'nia@example.com' });
      expect(guest).toMatchObject({ created: true, magicAuthSent: false });
      expect(fetchFn.count('POST /user_management/magic_auth')).toBe(0);
      expect((await workosState(env.workos, 'nia@example.com')).organizations[0]!.name).toBe(
        'Guest space',
      );
      const calls = fetchFn.requests.length;
      await orgkit.createOrGetGuestUser({ email: 'nia@example.com' });
      expect(fetchFn.requests.length).toBe(calls);
    } finally {
      await t.close();
    }
  });

  it('reuses a WorkOS user, personal organization and membership made elsewhere', async () => {
    const t = await openTestDatabase(target);
    try {
      const { user, org } = await guestMadeElsewhere(env.workos, 'cy@example.com', 'Cy');
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db);
      const guest = await orgkit.createOrGetGuestUser({ email: 'Cy@Example.com' });
      expect(guest).toEqual({
        workosUserId: user.id,
        organizationId: org.id,
        created: false,
        magicAuthSent: true,
      });
      expect(fetchFn.count('POST /user_management/users')).toBe(0);
      expect(fetchFn.count('POST /organizations')).toBe(0);
      const inWorkOS = await workosState(env.workos, 'cy@example.com');
      expect([inWorkOS.users.length, inWorkOS.organizations.length]).toEqual([1, 1]);
      expect(inWorkOS.memberships).toHaveLength(1);
      expect((await mirrorState(t.db, user.id)).memberships).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('costs no WorkOS look-up for a guest the mirror already holds', async () => {
    const t = await openTestDatabase(target);
    try {
      const { user, org } = await guestMadeElsewhere(env.workos, 'oz@example.com', 'Oz');
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db);
      await orgkit.syncWorkOSEvents();
      const synced = fetchFn.requests.length;
      const guest = await orgkit.createOrGetGuestUser({ email: 'oz@example.com' });
      expect(guest).toEqual({
        workosUserId: user.id,
        organizationId: org.id,
        created: false,
        magicAuthSent: true,
      });
      // Only the code: the user, organization and membership came from the mirror.
      expect(fetchFn.requests.slice(synced)).toEqual(['POST /user_management/magic_auth']);
    } finally {
      await t.close();
    }
  });

  it('rejects a bad email with invalid_input, before any WorkOS call or write', async () => {
    const t = await openTestDatabase(target);
    try {
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db);
      for (const email of ['not-an-email', '  ', 'a@b', 42, undefined]) {
        const error = await orgkit
          .createOrGetGuestUser({ email } as never)
          .catch((e: unknown) => e);
        expect(isOrgkitError(error) && error.code).toBe('invalid_input');
        expect((error as Error).message).toMatch(/^createOrGetGuestUser: email: /);
      }
      await expect(
        orgkit.createOrGetGuestUser({ email: 'ok@example.com', extra: 1 } as never),
      ).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(
        orgkit.createOrGetGuestUser({ email: 'ok@example.com', metadata: { k: 1 } } as never),
      ).rejects.toMatchObject({ code: 'invalid_input', message: /metadata/ });
      expect(fetchFn.requests).toEqual([]);
      expect(await t.db.select().from(tables.guestProvisioning)).toEqual([]);
      expect(await t.db.select().from(tables.users)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('50 concurrent calls for one email, in mixed case and whitespace, make one of everything', async () => {
    const t = await openTestDatabase(target);
    try {
      // Two instances on one database behave like two processes: only the lease is shared.
      const a = openOrgkit(env.emulator, t.db);
      const b = openOrgkit(env.emulator, t.db);
      const spellings = [
        'dee@example.com',
        ' DEE@example.com',
        'Dee@Example.Com  ',
        '\tdee@EXAMPLE.com',
      ];
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).orgkit.createOrGetGuestUser({ email: spellings[i % spellings.length]! }),
        ),
      );
      assertOneGuest(results);
      const inWorkOS = await workosState(env.workos, 'dee@example.com');
      expect([
        inWorkOS.users.length,
        inWorkOS.organizations.length,
        inWorkOS.memberships.length,
      ]).toEqual([1, 1, 1]);
      const sends =
        a.fetchFn.count('POST /user_management/magic_auth') +
        b.fetchFn.count('POST /user_management/magic_auth');
      expect(sends).toBe(1);
      const mirrored = await mirrorState(t.db, results[0]!.workosUserId);
      expect([
        mirrored.users.length,
        mirrored.organizations.length,
        mirrored.memberships.length,
      ]).toEqual([1, 1, 1]);
    } finally {
      await t.close();
    }
  });

  it('stays exactly-once with 429, 5xx, timeouts and lost answers injected at every step', async () => {
    const t = await openTestDatabase(target);
    try {
      const faults = (seed: number) => ({
        seed,
        faults: [
          { fault: 'rate_limit' as const, rate: 0.15, retryAfterSeconds: 0 },
          { fault: 'server_error' as const, rate: 0.1 },
          { fault: 'service_unavailable' as const, rate: 0.05 },
          { fault: 'timeout' as const, rate: 0.05, timeoutMs: 20 },
          { fault: 'connection_reset' as const, rate: 0.05, deliver: true },
          { fault: 'server_error' as const, rate: 0.05, deliver: true, method: 'POST' },
        ],
      });
      const a = openOrgkit(env.emulator, t.db, {
        faults: faults(7),
        guests: { retry: { maxAttempts: 2, baseDelayMs: 1 } },
      });
      const b = openOrgkit(env.emulator, t.db, {
        faults: faults(11),
        guests: { retry: { maxAttempts: 2, baseDelayMs: 1 } },
      });
      const callers = Array.from({ length: 50 }, (_, i) => ({
        orgkit: (i % 2 ? a : b).orgkit,
        email: i % 3 ? ' Eve@Example.com' : 'eve@example.com ',
      }));
      // Callers whose call failed call again, as a booking form's retry would.
      let results = await Promise.allSettled(
        callers.map((c) => c.orgkit.createOrGetGuestUser({ email: c.email })),
      );
      const failures = results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r as PromiseRejectedResult).reason);
      for (const reason of failures) {
        expect(isOrgkitError(reason) && [reason.code, reason.reason]).toEqual([
          'upstream_unavailable',
          expect.any(String),
        ]);
      }
      for (let round = 0; round < 20 && results.some((r) => r.status === 'rejected'); round++) {
        results = await Promise.allSettled(
          results.map((r, i) =>
            r.status === 'fulfilled'
              ? Promise.resolve(r.value)
              : callers[i]!.orgkit.createOrGetGuestUser({ email: callers[i]!.email }),
          ),
        );
      }
      const guests = results.map((r) => {
        if (r.status === 'rejected') throw r.reason;
        return r.value;
      });
      assertOneGuest(guests);
      const injected =
        Object.values(a.faulty.faults).reduce((x, y) => x + y, 0) +
        Object.values(b.faulty.faults).reduce((x, y) => x + y, 0);
      expect(injected).toBeGreaterThan(0);
      const inWorkOS = await workosState(env.workos, 'eve@example.com');
      expect([
        inWorkOS.users.length,
        inWorkOS.organizations.length,
        inWorkOS.memberships.length,
      ]).toEqual([1, 1, 1]);
      const mirrored = await mirrorState(t.db, guests[0]!.workosUserId);
      expect([
        mirrored.users.length,
        mirrored.organizations.length,
        mirrored.memberships.length,
      ]).toEqual([1, 1, 1]);
    } finally {
      await t.close();
    }
  });
});

/** Every caller got the same ids, and exactly one was told it created the guest. */
function assertOneGuest(
  results: { workosUserId: string; organizationId: string; created: boolean }[],
) {
  const ids = new Set(results.map((r) => `${r.workosUserId}/${r.organizationId}`));
  expect(ids.size).toBe(1);
  expect(results.filter((r) => r.created)).toHaveLength(1);
}
