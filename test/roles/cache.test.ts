import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS } from '../support/databases.js';
import { insertMembership, insertUser, JOB, openRoles, sessionFor, tables } from './support.js';

const setRoleBehindOrgkitsBack = (h: Awaited<ReturnType<typeof openRoles>>, role: string) =>
  h.t.db.update(tables.users).set({ role }).where(eq(tables.users.workosUserId, 'user_a'));

describe.each(DATABASE_TARGETS)('role cache on $name', (target) => {
  it('never queries the same user twice in one request, and keeps one answer throughout', async () => {
    // A cache of one entry and a 1 ms TTL: within the request only the memo can answer.
    const h = await openRoles(target, { cache: { ttlMs: 1, max: 1 } });
    try {
      await insertUser(h.t.db, 'user_a', 'expert_top');
      await insertMembership(h.t.db, 'user_a', 'org_1', 'owner');
      await h.scope.run({ session: sessionFor('user_a') }, async () => {
        expect(await h.roles.getUserRoles()).toEqual(['expert_top', 'owner']);
        await setRoleBehindOrgkitsBack(h, 'admin');
        await h.roles.getUserRoles('user_other');
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(await h.roles.hasRole('user_a', 'expert_top')).toBe(true);
        expect(
          await h.roles.hasPermission(undefined, 'org:manage', { organizationId: 'org_1' }),
        ).toBe(true);
        expect(await h.roles.getUserRoles('user_a', { organizationId: 'org_2' })).toEqual([
          'expert_top',
        ]);
      });
      expect(h.queries).toHaveLength(2);
      expect(await h.roles.getUserRoles('user_a')).toEqual(['admin', 'owner']);
    } finally {
      await h.close();
    }
  });

  it('answers from the process cache across requests until the TTL passes', async () => {
    const h = await openRoles(target, { cache: { ttlMs: 40, max: 100 } });
    try {
      await insertUser(h.t.db, 'user_a', 'expert_top');
      await h.scope.run({}, () => h.roles.getUserRoles('user_a'));
      await setRoleBehindOrgkitsBack(h, 'admin');
      expect(await h.scope.run({}, () => h.roles.getUserRoles('user_a'))).toEqual(['expert_top']);
      expect(h.queries).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await h.roles.getUserRoles('user_a')).toEqual(['admin']);
      expect(h.queries).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('reuses a resolved principal until the roles behind it change', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'expert_top');
      await insertMembership(h.t.db, 'user_a', 'org_1', 'member');
      const member = sessionFor('user_a', { organizationId: 'org_1', role: 'member' });
      const owner = sessionFor('user_a', { organizationId: 'org_1', role: 'owner' });
      const inRequest = (session: typeof member, organizationId?: string) =>
        h.scope.run({ session }, () => h.roles.getAccess(undefined, { organizationId }));

      const first = await inRequest(member);
      expect(await inRequest(member)).toBe(first);
      // Another token, another organization filter: other principals, each with its own roles.
      const asOwner = await inRequest(owner);
      expect(asOwner).not.toBe(first);
      expect(asOwner.hasRole('owner')).toBe(true);
      expect(first.hasRole('owner')).toBe(false);
      const elsewhere = await inRequest(member, 'org_2');
      expect(elsewhere).not.toBe(first);
      expect([...elsewhere.roles]).toEqual(['expert_top']);
      expect(h.queries).toHaveLength(1);

      await setRoleBehindOrgkitsBack(h, 'admin');
      await h.roles.invalidateUser('user_a');
      const after = await inRequest(member);
      expect(after).not.toBe(first);
      expect(after.appRole).toBe('admin');
      expect(after.hasPermission('users:manage')).toBe(true);
      expect(first.hasPermission('users:manage')).toBe(false);
    } finally {
      await h.close();
    }
  });

  it('peekAccess answers only from the caches, never with a query, and validates like getAccess', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'expert_top');
      await insertMembership(h.t.db, 'user_a', 'org_1', 'member');
      const session = sessionFor('user_a', { organizationId: 'org_1', role: 'owner' });
      const inRequest = <T>(fn: () => T) => h.scope.run({ session }, fn);

      expect(inRequest(() => h.roles.peekAccess())).toBeUndefined();
      expect(h.queries).toHaveLength(0);
      const loaded = await inRequest(() => h.roles.getAccess());
      // The same principal getAccess gives: the token's role counts for the session's user.
      const peeked = inRequest(() => h.roles.peekAccess());
      expect(peeked).toBe(loaded);
      expect(peeked?.hasRole('owner')).toBe(true);
      expect(h.roles.peekAccess('user_a')?.hasRole('owner')).toBe(false);
      expect(h.roles.peekAccess('user_never_loaded')).toBeUndefined();
      expect(h.queries).toHaveLength(1);

      // A role change shows at once: no stale principal is peeked after the invalidation.
      await setRoleBehindOrgkitsBack(h, 'admin');
      await h.roles.invalidateUser('user_a');
      expect(inRequest(() => h.roles.peekAccess())).toBeUndefined();
      expect((await inRequest(() => h.roles.getAccess())).appRole).toBe('admin');
      expect(inRequest(() => h.roles.peekAccess())?.appRole).toBe('admin');

      expect(() => h.roles.peekAccess('')).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
      expect(() => h.roles.peekAccess()).toThrow(
        expect.objectContaining({ code: 'unauthenticated' }),
      );
      expect(h.queries).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('shares one query between concurrent misses', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'expert_top');
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => h.roles.getUserRoles('user_a')),
      );
      expect(answers).toEqual(Array(5).fill(['expert_top']));
      expect(h.queries).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('forgets a user on invalidateUser, also when a query was already running', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'expert_top');
      await h.roles.getUserRoles('user_a');
      await setRoleBehindOrgkitsBack(h, 'admin');
      await h.roles.invalidateUser('user_a');
      expect(await h.roles.getUserRoles('user_a')).toEqual(['admin']);
      expect(h.queries).toHaveLength(2);

      // A query running across an invalidation may have read the row before the change: it
      // must not fill the cache.
      await h.roles.invalidateUser('user_a');
      const running = h.roles.getUserRoles('user_a');
      await h.roles.invalidateUser('user_a');
      await running;
      await h.roles.getUserRoles('user_a');
      expect(h.queries).toHaveLength(4);
      await expect(h.roles.invalidateUser('')).rejects.toMatchObject({ code: 'invalid_input' });
    } finally {
      await h.close();
    }
  });

  it('never caches the token part', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'user');
      const first = sessionFor('user_a', { organizationId: 'org_1', role: 'owner' });
      const second = sessionFor('user_a', { organizationId: 'org_1', role: 'member' });
      expect(await h.scope.run({ session: first }, () => h.roles.getUserRoles())).toEqual([
        'user',
        'owner',
      ]);
      expect(await h.scope.run({ session: second }, () => h.roles.getUserRoles())).toEqual([
        'user',
        'member',
      ]);
      expect(await h.roles.getUserRoles('user_a')).toEqual(['user']);
      expect(h.queries).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('setUserRole writes the role and the change shows at once, also in the same request', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'user');
      await h.scope.run({}, async () => {
        expect(await h.roles.hasRole('user_a', 'expert_top')).toBe(false);
        await h.roles.setUserRole('user_a', 'expert_top', JOB);
        expect(await h.roles.hasRole('user_a', 'expert_top')).toBe(true);
      });
      expect(await h.roles.getUserRoles('user_a')).toEqual(['expert_top']);
      const [row] = await h.t.db.select().from(tables.users);
      expect(row?.role).toBe('expert_top');
    } finally {
      await h.close();
    }
  });

  it('setUserRole refuses an unknown app role or user and changes nothing', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'user');
      await h.roles.getUserRoles('user_a');
      await expect(h.roles.setUserRole('user_a', 'owner' as never, JOB)).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('"owner"'),
      });
      await expect(h.roles.setUserRole('user_missing', 'admin', JOB)).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(h.roles.setUserRole('', 'admin', JOB)).rejects.toMatchObject({
        code: 'invalid_input',
      });
      expect(
        await h.t.db
          .select({ id: tables.users.workosUserId, role: tables.users.role })
          .from(tables.users),
      ).toEqual([{ id: 'user_a', role: 'user' }]);
      expect(await h.roles.getUserRoles('user_missing')).toEqual(['user']);
    } finally {
      await h.close();
    }
  });
});
