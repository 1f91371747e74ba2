import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { defineAccessControl } from '../../src/roles/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { mirrorState, openOrgkit, setupEmulator, tables, workosState } from './support.js';

const env = setupEmulator();

const CREATES = [
  'POST /user_management/users',
  'POST /organizations',
  'POST /user_management/organization_memberships',
] as const;

describe.each(DATABASE_TARGETS)('guest provisioning failures on $name', (target) => {
  it.each(CREATES)('finds, not repeats, a create whose answer was lost: %s', async (create) => {
    const t = await openTestDatabase(target);
    try {
      const path = create.split(' ')[1]!;
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db, {
        faults: {
          faults: { fault: 'connection_reset', deliver: true, method: 'POST', path, calls: [1] },
        },
      });
      const guest = await orgkit.createOrGetGuestUser({ email: 'fay@example.com' });
      const inWorkOS = await workosState(env.workos, 'fay@example.com');
      expect([
        inWorkOS.users.length,
        inWorkOS.organizations.length,
        inWorkOS.memberships.length,
      ]).toEqual([1, 1, 1]);
      expect(inWorkOS.organizations[0]!.id).toBe(guest.organizationId);
      expect(fetchFn.count(create)).toBeGreaterThanOrEqual(1);
    } finally {
      await t.close();
    }
  });

  it('finishes, on the next call, a provisioning that failed part-way', async () => {
    const t = await openTestDatabase(target);
    try {
      const failing = openOrgkit(env.emulator, t.db, {
        faults: { faults: { fault: 'server_error', method: 'POST', path: '/organizations' } },
        guests: { retry: { maxAttempts: 3 } },
      });
      const error = await failing.orgkit
        .createOrGetGuestUser({ email: 'gus@example.com', firstName: 'Gus' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'upstream_unavailable', reason: 'server_error' });
      expect(failing.fetchFn.count('POST /organizations')).toBe(3);
      const [claim] = await t.db
        .select()
        .from(tables.guestProvisioning)
        .where(eq(tables.guestProvisioning.email, 'gus@example.com'));
      expect(claim).toMatchObject({
        userCreated: true,
        workosOrgId: null,
        leaseToken: null,
        completedAt: null,
        lastError: 'upstream_unavailable:server_error',
      });

      const healthy = openOrgkit(env.emulator, t.db);
      const guest = await healthy.orgkit.createOrGetGuestUser({ email: 'gus@example.com' });
      expect(guest).toMatchObject({
        workosUserId: claim!.workosUserId,
        created: true,
        magicAuthSent: true,
      });
      expect(healthy.fetchFn.requests).toEqual([
        `GET /organizations/external_id/personal:${claim!.workosUserId}`,
        'POST /organizations',
        'POST /user_management/organization_memberships',
        'POST /user_management/magic_auth',
      ]);
      const inWorkOS = await workosState(env.workos, 'gus@example.com');
      expect([
        inWorkOS.users.length,
        inWorkOS.organizations.length,
        inWorkOS.memberships.length,
      ]).toEqual([1, 1, 1]);
    } finally {
      await t.close();
    }
  });

  it('waits out Retry-After on a 429, for every call of the instance', async () => {
    const t = await openTestDatabase(target);
    try {
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db, {
        faults: {
          faults: {
            fault: 'rate_limit',
            retryAfterSeconds: 1,
            path: '/user_management/users',
            method: 'POST',
            calls: [1],
          },
        },
      });
      const started = Date.now();
      const [one, two] = await Promise.all([
        orgkit.createOrGetGuestUser({ email: 'hal@example.com' }),
        orgkit.createOrGetGuestUser({ email: 'ida@example.com' }),
      ]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(one.workosUserId).not.toBe(two.workosUserId);
      // The limited create was repeated once; no look-up was needed for a request WorkOS refused.
      expect(fetchFn.count('POST /user_management/users')).toBe(3);
      expect(fetchFn.count('GET /user_management/users')).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('fails at once when Retry-After is longer than the caller will wait, and resumes later', async () => {
    const t = await openTestDatabase(target);
    try {
      const limited = openOrgkit(env.emulator, t.db, {
        faults: { faults: { fault: 'rate_limit', retryAfterSeconds: 120, method: 'POST' } },
        guests: { retry: { maxRetryAfterMs: 30_000 } },
      });
      await expect(
        limited.orgkit.createOrGetGuestUser({ email: 'jo@example.com' }),
      ).rejects.toMatchObject({
        code: 'upstream_unavailable',
        reason: 'rate_limited',
        details: { retryAfterSeconds: 120 },
      });
      expect(limited.fetchFn.count('POST ')).toBe(1);
      const later = openOrgkit(env.emulator, t.db);
      await expect(
        later.orgkit.createOrGetGuestUser({ email: 'jo@example.com' }),
      ).resolves.toMatchObject({ created: true });
    } finally {
      await t.close();
    }
  });

  it('lets different emails proceed while one is stuck', async () => {
    const t = await openTestDatabase(target);
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Holds the stuck guest's user creation until released; everything else passes.
      const holding: typeof fetch = async (input, init) => {
        if (typeof init?.body === 'string' && init.body.includes('stuck@example.com')) await gate;
        return fetch(input, init);
      };
      const { orgkit } = openOrgkit(env.emulator, t.db, { fetch: holding });
      const stuck = orgkit.createOrGetGuestUser({ email: 'stuck@example.com' });
      const free = await orgkit.createOrGetGuestUser({ email: 'free@example.com' });
      expect(free.created).toBe(true);
      release();
      expect((await stuck).created).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('takes over from a holder that died, once its lease expires', async () => {
    const t = await openTestDatabase(target);
    try {
      await t.db.insert(tables.guestProvisioning).values({
        email: 'kim@example.com',
        leaseToken: 'crashed-process',
        leaseExpiresAt: sql`now() + interval '1 second'`,
      });
      const { orgkit } = openOrgkit(env.emulator, t.db, { guests: { leaseMs: 1_000 } });
      const guest = await orgkit.createOrGetGuestUser({ email: 'kim@example.com' });
      expect(guest.created).toBe(true);
      const [claim] = await t.db.select().from(tables.guestProvisioning);
      expect(claim).toMatchObject({ leaseToken: null, attempts: 1 });
      expect(claim!.completedAt).not.toBeNull();
    } finally {
      await t.close();
    }
  });

  it('gives up with conflict when another holder keeps the guest longer than waitTimeoutMs', async () => {
    const t = await openTestDatabase(target);
    try {
      await t.db.insert(tables.guestProvisioning).values({
        email: 'lu@example.com',
        leaseToken: 'busy-process',
        leaseExpiresAt: sql`now() + interval '1 minute'`,
      });
      const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db, {
        guests: { waitTimeoutMs: 200 },
      });
      await expect(orgkit.createOrGetGuestUser({ email: 'lu@example.com' })).rejects.toMatchObject({
        code: 'conflict',
        reason: 'provisioning_in_progress',
      });
      expect(fetchFn.requests).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('provisionMeetingGuest returns the ids a meeting stores (seed 2.2)', async () => {
    const t = await openTestDatabase(target);
    try {
      const { orgkit } = openOrgkit(env.emulator, t.db);
      const booking = {
        guestEmail: 'Max@Example.com',
        guestFirstName: 'Max',
        metadata: { meeting: 'm_1' },
      };
      const ids = await orgkit.provisionMeetingGuest(booking);
      const guest = await orgkit.createOrGetGuestUser({ email: 'max@example.com' });
      expect(ids).toEqual({
        guestWorkosUserId: guest.workosUserId,
        guestOrgId: guest.organizationId,
        created: true,
        magicAuthSent: true,
      });
      expect((await mirrorState(t.db, guest.workosUserId)).users[0]!.firstName).toBe('Max');
      await expect(orgkit.provisionMeetingGuest({ guestEmail: 'nope' })).rejects.toMatchObject({
        code: 'invalid_input',
        message: /^provisionMeetingGuest: guestEmail: /,
      });
    } finally {
      await t.close();
    }
  });

  it('refuses to run without a WorkOS client or with an owner role the model lacks', async () => {
    const t = await openTestDatabase(target);
    try {
      const bare = createOrgkit({ database: t.db });
      await expect(bare.createOrGetGuestUser({ email: 'ok@example.com' })).rejects.toMatchObject({
        code: 'invalid_config',
        details: { key: 'workos' },
      });
      expect(() =>
        createOrgkit({ database: t.db, guests: { ownerRole: 'captain' as never } }),
      ).toThrow(/guests\.ownerRole: "captain" is not an organization role/);
      // Without an `owner` role and no ownerRole set, only provisioning refuses.
      const noOwner = createOrgkit({
        database: t.db,
        workos: env.workos,
        accessControl: defineAccessControl({
          permissions: ['posts:read'],
          appRoles: { user: ['posts:read'] },
          orgRoles: { member: [] },
        }),
      });
      await expect(noOwner.createOrGetGuestUser({ email: 'ok@example.com' })).rejects.toMatchObject(
        {
          code: 'invalid_config',
          message: /guests\.ownerRole: "owner" is not an organization role.*set guests\.ownerRole/,
        },
      );
      expect(await t.db.select().from(tables.guestProvisioning)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
