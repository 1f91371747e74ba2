import { describe, expect, it } from 'vitest';
import { defineAccessControl } from '../../src/roles/index.js';
import { DATABASE_TARGETS } from '../support/databases.js';
import { insertMembership, insertUser, openRoles, sessionFor } from './support.js';

describe.each(DATABASE_TARGETS)('getUserRoles on $name', (target) => {
  it('combines the app role, active memberships and the session token, each role once', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'expert_top');
      await insertMembership(h.t.db, 'user_a', 'org_1', 'owner', { roles: ['owner', 'admin'] });
      await insertMembership(h.t.db, 'user_a', 'org_2', 'member');
      await insertMembership(h.t.db, 'user_a', 'org_3', 'billing_admin', { status: 'inactive' });
      await insertMembership(h.t.db, 'user_a', 'org_4', 'billing_admin', { status: 'pending' });
      await insertMembership(h.t.db, 'user_b', 'org_1', 'billing_admin');

      const roles = await h.roles.getUserRoles('user_a');
      expect(roles[0]).toBe('expert_top');
      expect([...roles].sort()).toEqual(['admin', 'expert_top', 'member', 'owner']);

      const session = sessionFor('user_a', {
        organizationId: 'org_1',
        roles: ['owner', 'auditor'],
      });
      const withToken = await h.scope.run({ session }, () => h.roles.getUserRoles('user_a'));
      expect([...withToken].sort()).toEqual(['admin', 'auditor', 'expert_top', 'member', 'owner']);
      expect(new Set(withToken).size).toBe(withToken.length);
    } finally {
      await h.close();
    }
  });

  it("narrows to one organization's memberships, and counts the token only for that organization", async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'user');
      await insertMembership(h.t.db, 'user_a', 'org_1', 'owner');
      await insertMembership(h.t.db, 'user_a', 'org_2', 'member');
      expect(await h.roles.getUserRoles('user_a', { organizationId: 'org_2' })).toEqual([
        'user',
        'member',
      ]);
      expect(await h.roles.getUserRoles('user_a', { organizationId: 'org_9' })).toEqual(['user']);

      const session = sessionFor('user_a', { organizationId: 'org_1', role: 'billing_admin' });
      await h.scope.run({ session }, async () => {
        expect(await h.roles.getUserRoles('user_a', { organizationId: 'org_1' })).toEqual([
          'user',
          'owner',
          'billing_admin',
        ]);
        expect(await h.roles.getUserRoles('user_a', { organizationId: 'org_2' })).toEqual([
          'user',
          'member',
        ]);
      });
    } finally {
      await h.close();
    }
  });

  it('ignores the token of a session that belongs to another user', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'user');
      const session = sessionFor('user_other', { organizationId: 'org_1', role: 'owner' });
      const roles = await h.scope.run({ session }, () => h.roles.getUserRoles('user_a'));
      expect(roles).toEqual(['user']);
    } finally {
      await h.close();
    }
  });

  it('falls back to the default role when the user has no role anywhere (seed 3.2)', async () => {
    const h = await openRoles(target);
    try {
      expect(await h.roles.getUserRoles('user_nobody')).toEqual(['user']);
      // A membership without a user row (webhooks arrive in any order) is a role: no fallback.
      await insertMembership(h.t.db, 'user_early', 'org_1', 'member');
      expect(await h.roles.getUserRoles('user_early')).toEqual(['member']);
    } finally {
      await h.close();
    }
    const ac = defineAccessControl({
      permissions: ['read'],
      appRoles: { guest: ['read'], staff: ['read'] },
      orgRoles: {},
      defaultRole: 'guest',
    });
    const custom = await openRoles(target, { accessControl: ac });
    try {
      expect(await custom.roles.getUserRoles('user_nobody')).toEqual(['guest']);
    } finally {
      await custom.close();
    }
  });

  it('keeps roles the access model does not know: the database is the truth', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'legacy_role');
      await insertMembership(h.t.db, 'user_a', 'org_1', 'viewer');
      expect(await h.roles.getUserRoles('user_a')).toEqual(['legacy_role', 'viewer']);
    } finally {
      await h.close();
    }
  });

  it("means the request's session user when userId is omitted, and refuses without one", async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'admin');
      const session = sessionFor('user_a');
      expect(await h.scope.run({ session }, () => h.roles.getUserRoles())).toEqual(['admin']);
      await expect(h.roles.getUserRoles()).rejects.toMatchObject({
        code: 'unauthenticated',
        reason: 'no_request_scope',
      });
      await expect(h.scope.run({}, () => h.roles.getUserRoles())).rejects.toMatchObject({
        code: 'unauthenticated',
        reason: 'no_session',
      });
      expect(h.queries).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('rejects a bad user id or option before touching the database', async () => {
    const h = await openRoles(target);
    try {
      await expect(h.roles.getUserRoles('')).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('getUserRoles: userId'),
      });
      await expect(h.roles.getUserRoles(42 as never)).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(
        h.roles.getUserRoles('user_a', { organisationId: 'org_1' } as never),
      ).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('organisationId'),
      });
      await expect(h.roles.getUserRoles('user_a', { organizationId: '' })).rejects.toMatchObject({
        code: 'invalid_input',
      });
      expect(h.queries).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('reads the user row and the memberships in one round trip', async () => {
    const h = await openRoles(target);
    try {
      await insertUser(h.t.db, 'user_a', 'expert_community');
      await insertMembership(h.t.db, 'user_a', 'org_1', 'owner');
      await insertMembership(h.t.db, 'user_a', 'org_2', 'member');
      await h.roles.getUserRoles('user_a');
      expect(h.queries).toHaveLength(1);
      expect(h.queries[0]).toMatch(/union all/i);
    } finally {
      await h.close();
    }
  });

  it('reports a database failure as upstream_unavailable', async () => {
    const h = await openRoles(target);
    await h.t.close();
    try {
      await expect(h.roles.getUserRoles('user_a')).rejects.toMatchObject({
        code: 'upstream_unavailable',
      });
    } finally {
      await h.roles.close();
    }
  });
});
