import { describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { createFaultyFetch, type FaultRule } from '../../src/testing/fault-fetch.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import {
  clinic,
  mirror,
  openSync,
  setupWorkOSEmulator,
  storedCursor,
  tables,
  wireEvents,
} from './support.js';

const env = setupWorkOSEmulator();

/** A client whose Events API requests fail as `rule` says, and that does not retry. */
function faultyClient(rule: Omit<FaultRule, 'path'>) {
  const fetchFn = createFaultyFetch({ faults: { ...rule, path: '/events' } });
  return { fetchFn, client: env.emulator.createClient({ fetchFn, maxRetries: 0 }) };
}

describe.each(DATABASE_TARGETS)('syncWorkOSEvents on $name', (target) => {
  it('mirrors users, organizations and memberships created through the SDK', async () => {
    const t = await openTestDatabase(target);
    try {
      const { ada, bo, org, adaMembership, boMembership } = await clinic(env.workos);
      const sync = openSync(t.db, env.workos);
      const result = await sync.syncWorkOSEvents({ limit: 2 });
      const events = await wireEvents(env.emulator);
      expect(result).toEqual({
        applied: 5,
        ignored: 0,
        cursor: events.at(-1)!.id,
        tombstonesPurged: 0,
      });
      expect(await storedCursor(t.db)).toBe(result.cursor);
      expect(await mirror(t.db)).toEqual({
        users: [
          { id: ada.id, email: 'ada@example.com', firstName: 'Ada', role: 'user' },
          { id: bo.id, email: 'bo@example.com', firstName: 'Bo', role: 'user' },
        ],
        organizations: [{ id: org.id, name: 'Harbor Clinic', externalId: 'clinic-1' }],
        memberships: expect.arrayContaining([
          {
            id: adaMembership.id,
            userId: ada.id,
            orgId: org.id,
            role: 'admin',
            roles: ['admin'],
            status: 'active',
          },
          {
            id: boMembership.id,
            userId: bo.id,
            orgId: org.id,
            role: 'member',
            roles: ['member'],
            status: 'active',
          },
        ]),
      });
      expect(new Set(sync.invalidated)).toEqual(new Set([ada.id, bo.id]));
    } finally {
      await t.close();
    }
  });

  it('picks up a role change and a deactivation from the cursor on, and invalidates only that user', async () => {
    const t = await openTestDatabase(target);
    try {
      const { bo, boMembership } = await clinic(env.workos);
      const sync = openSync(t.db, env.workos);
      await sync.syncWorkOSEvents();
      sync.invalidated.length = 0;
      await env.workos.userManagement.updateOrganizationMembership(boMembership.id, {
        roleSlug: 'admin',
      });
      await env.workos.userManagement.deactivateOrganizationMembership(boMembership.id);
      expect(await sync.syncWorkOSEvents()).toMatchObject({ applied: 2, ignored: 0 });
      const row = (await mirror(t.db)).memberships.find((m) => m.id === boMembership.id);
      expect(row).toMatchObject({ role: 'admin', status: 'inactive' });
      expect(sync.invalidated).toEqual([bo.id]); // once per page, however many of its events changed bo
    } finally {
      await t.close();
    }
  });

  it("through createOrgkit, a synced role change reaches the app's cached roles at once", async () => {
    const t = await openTestDatabase(target);
    const orgkit = createOrgkit({ database: t.db, workos: env.workos, cache: { ttlMs: 600_000 } });
    try {
      const { bo, org, boMembership } = await clinic(env.workos);
      await orgkit.syncWorkOSEvents();
      expect(await orgkit.getUserRoles(bo.id, { organizationId: org.id })).toContain('member');
      await env.workos.userManagement.updateOrganizationMembership(boMembership.id, {
        roleSlug: 'admin',
      });
      await orgkit.syncWorkOSEvents();
      const roles = await orgkit.getUserRoles(bo.id, { organizationId: org.id });
      expect(roles).toContain('admin');
      expect(roles).not.toContain('member');
    } finally {
      await orgkit.close();
      await t.close();
    }
  });

  it('is idempotent: a second run applies nothing, and a lost cursor replays without change', async () => {
    const t = await openTestDatabase(target);
    try {
      await clinic(env.workos);
      const sync = openSync(t.db, env.workos);
      const first = await sync.syncWorkOSEvents();
      const before = await mirror(t.db);
      sync.invalidated.length = 0;
      expect(await sync.syncWorkOSEvents()).toEqual({
        applied: 0,
        ignored: 0,
        cursor: first.cursor,
        tombstonesPurged: 0,
      });
      await t.db.delete(tables.syncCursors);
      expect(await sync.syncWorkOSEvents()).toEqual({
        applied: 0,
        ignored: 5,
        cursor: first.cursor,
        tombstonesPurged: 0,
      });
      expect(await mirror(t.db)).toEqual(before);
      expect(sync.invalidated).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('mirrors deletes and ignores events it does not mirror', async () => {
    const t = await openTestDatabase(target);
    try {
      const { ada, bo, adaMembership } = await clinic(env.workos);
      const password = 'correct horse battery staple';
      await env.workos.userManagement.updateUser({ userId: ada.id, password });
      await env.workos.userManagement.authenticateWithPassword({
        clientId: env.emulator.clientId,
        email: 'ada@example.com',
        password,
      });
      await env.workos.userManagement.deleteOrganizationMembership(adaMembership.id);
      await env.workos.userManagement.deleteUser(bo.id);
      const sync = openSync(t.db, env.workos);
      const result = await sync.syncWorkOSEvents();
      const events = await wireEvents(env.emulator);
      expect(events.some((e) => e.event === 'session.created')).toBe(true);
      expect(result.applied + result.ignored).toBe(events.length);
      expect(result.ignored).toBeGreaterThan(0);
      const rows = await mirror(t.db);
      expect(rows.users.map((u) => u.id)).toEqual([ada.id]);
      expect(rows.memberships).toEqual([]);
      expect(rows.organizations).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it.each([
    ['a 503', { fault: 'service_unavailable', calls: [2] }, 'server_error'],
    ['a dropped connection', { fault: 'connection_reset', calls: [2] }, 'network'],
    ['a 429', { fault: 'rate_limit', calls: [2], retryAfterSeconds: 9 }, 'rate_limited'],
  ] as const)(
    '%s on the second page fails with upstream_unavailable and the next run resumes from the stored cursor',
    async (_, rule, reason) => {
      const t = await openTestDatabase(target);
      try {
        await clinic(env.workos);
        const events = await wireEvents(env.emulator);
        const { client, fetchFn } = faultyClient({ ...rule, calls: [...rule.calls] });
        const sync = openSync(t.db, client);
        const error = await sync.syncWorkOSEvents({ limit: 2 }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'upstream_unavailable', reason });
        if (reason === 'rate_limited')
          expect(error).toMatchObject({ details: { retryAfterSeconds: 9 } });
        expect(await storedCursor(t.db)).toBe(events[1]!.id);
        const partial = await mirror(t.db);
        expect(partial.users).toHaveLength(2);
        expect(partial.organizations).toEqual([]);

        const resumed = await sync.syncWorkOSEvents({ limit: 2 });
        expect(resumed).toEqual({
          applied: 3,
          ignored: 0,
          cursor: events.at(-1)!.id,
          tombstonesPurged: 0,
        });
        const full = await mirror(t.db);
        expect(full.organizations).toHaveLength(1);
        expect(full.memberships).toHaveLength(2);
        expect(fetchFn.calls).toBe(4); // page 1, the failed page 2, then pages 2 and 3
      } finally {
        await t.close();
      }
    },
  );

  it('a concurrent run whose page went stale drops it instead of moving the cursor back', async () => {
    const t = await openTestDatabase(target);
    try {
      await clinic(env.workos);
      const events = await wireEvents(env.emulator);
      // The slow run reads the cursor, then its first page arrives after the fast run finished.
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let fetching!: () => void;
      const slowIsFetching = new Promise<void>((resolve) => {
        fetching = resolve;
      });
      // Its second request fails, so the cursor it leaves behind is visible.
      const slowFetch = createFaultyFetch({
        faults: { fault: 'connection_reset', calls: [2] },
        fetch: async (input, init) => {
          fetching();
          await held;
          return fetch(input, init);
        },
      });
      const slowClient = env.emulator.createClient({ fetchFn: slowFetch, maxRetries: 0 });
      const slow = openSync(t.db, slowClient).syncWorkOSEvents({ limit: 2 });
      await slowIsFetching; // the slow run has read the cursor (none) and asked for page 1
      const fast = await openSync(t.db, env.workos).syncWorkOSEvents({ limit: 2 });
      release();
      await expect(slow).rejects.toMatchObject({ code: 'upstream_unavailable' });
      expect(fast.applied).toBe(5);
      // Its stale first page was dropped, not applied over the newer cursor.
      expect(await storedCursor(t.db)).toBe(events.at(-1)!.id);
      expect((await mirror(t.db)).memberships).toHaveLength(2);
    } finally {
      await t.close();
    }
  });
});

describe('syncWorkOSEvents configuration and input', () => {
  it('names the missing workos client and rejects a bad limit before any request', async () => {
    const t = await openTestDatabase(DATABASE_TARGETS[0]!);
    try {
      await expect(openSync(t.db, undefined).syncWorkOSEvents()).rejects.toMatchObject({
        code: 'invalid_config',
        details: { key: 'workos' },
        message: expect.stringMatching(/workos/),
      });
      const { client, fetchFn } = faultyClient({ fault: 'server_error', calls: [99] });
      await expect(openSync(t.db, client).syncWorkOSEvents({ limit: 0 })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/limit/),
      });
      expect(fetchFn.calls).toBe(0);
      expect(await storedCursor(t.db)).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
