import { describe, expect, it } from 'vitest';
import { createOrgkit, defineAccessControl } from '../../src/index.js';
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
});
