import { describe, expect, it } from 'vitest';
import { createOrgkit, defineAccessControl } from '../../src/index.js';
import { auditRows } from '../preferences/audit-support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { insertMembership, insertUser, sessionFor } from './support.js';

const accessControl = defineAccessControl({
  permissions: ['posts:read', 'posts:write', 'posts:delete', 'team:manage'],
  appRoles: { reader: ['posts:read'], editor: ['posts:read', 'posts:write'] },
  orgRoles: { moderator: ['posts:delete', 'team:manage'], member: [] },
  defaultRole: 'reader',
});

describe.each(DATABASE_TARGETS)('roles on a createOrgkit instance on $name', (target) => {
  it("resolves the request's user through the instance's scope and access model", async () => {
    const t = await openTestDatabase(target);
    // Role changes need the configured manage permission, here held through the token's role.
    const orgkit = createOrgkit({
      database: t.db,
      accessControl,
      users: { managePermission: 'team:manage' },
    });
    try {
      await insertUser(t.db, 'user_a', 'editor');
      await insertMembership(t.db, 'user_a', 'org_1', 'member');
      const session = sessionFor('user_a', { organizationId: 'org_1', role: 'moderator' });
      await orgkit.runWithRequestScope({ session }, async () => {
        expect(await orgkit.getUserRoles()).toEqual(['editor', 'member', 'moderator']);
        expect(await orgkit.hasRole(undefined, 'moderator', { organizationId: 'org_1' })).toBe(
          true,
        );
        expect(await orgkit.hasPermission(undefined, 'posts:delete')).toBe(true);
        const access = await orgkit.getAccess();
        expect(access.hasAllPermissions(['posts:read', 'posts:write', 'posts:delete'])).toBe(true);
        await orgkit.setUserRole('user_a', 'reader');
        expect(await orgkit.checkPermissions(undefined, ['posts:write'])).toMatchObject({
          allowed: false,
          missing: ['posts:write'],
        });
      });
      expect(await orgkit.getUserRoles('user_nobody')).toEqual(['reader']);
      await expect(orgkit.hasRole('user_a', 'user' as never)).rejects.toMatchObject({
        code: 'invalid_input',
      });
    } finally {
      await orgkit.close();
      await t.close();
    }
  });

  it("records a role change with its actor, old and new role, in the change's transaction", async () => {
    const t = await openTestDatabase(target);
    const orgkit = createOrgkit({
      database: t.db,
      accessControl,
      users: { managePermission: 'team:manage' },
    });
    try {
      await insertUser(t.db, 'user_admin', 'reader');
      await insertUser(t.db, 'user_b', 'reader');
      const session = sessionFor('user_admin', { organizationId: 'org_1', role: 'moderator' });
      await orgkit.runWithRequestScope({ session }, () => orgkit.setUserRole('user_b', 'editor'));
      // Unchanged role: nothing to record. A job names itself as the actor.
      await orgkit.setUserRole('user_b', 'editor', { actor: { system: 'nightly-sync' } });
      await orgkit.setUserRole('user_b', 'reader', { actor: { system: 'nightly-sync' } });
      await expect(
        orgkit.setUserRole('user_nobody', 'editor', { actor: { system: 'nightly-sync' } }),
      ).rejects.toMatchObject({ code: 'not_found' });

      const rows = await auditRows(t.db, 'user.role_changed');
      expect(rows).toMatchObject([
        {
          organizationId: 'org_1',
          actorUserId: 'user_admin',
          resourceType: 'user',
          resourceId: 'user_b',
          oldValues: { role: 'reader' },
          newValues: { role: 'editor' },
        },
        {
          organizationId: null,
          actorSystem: 'nightly-sync',
          oldValues: { role: 'editor' },
          newValues: { role: 'reader' },
        },
      ]);
      expect(await orgkit.getUserRoles('user_b')).toEqual(['reader']);
      expect((await orgkit.verifyAuditChain()).valid).toBe(true);
    } finally {
      await orgkit.close();
      await t.close();
    }
  });
});
