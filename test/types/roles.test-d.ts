import { describe, expectTypeOf, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import type { Access, ResolvedRole, Session } from '../../src/index.js';
import {
  type AppRoleOf,
  createOrgkit,
  type defaultAccessControl,
  defineAccessControl,
  type PermissionDecision,
  type PermissionOf,
  type RoleOf,
} from '../../src/index.js';

declare const database: OrgkitDatabase;

const ac = defineAccessControl({
  permissions: ['posts:read', 'posts:write'],
  appRoles: { reader: ['posts:read'], editor: ['posts:read', 'posts:write'] },
  orgRoles: { owner: ['posts:write'], member: [] },
  defaultRole: 'reader',
});

describe('defineAccessControl', () => {
  it('infers role and permission names as literals', () => {
    expectTypeOf<RoleOf<typeof ac>>().toEqualTypeOf<'reader' | 'editor' | 'owner' | 'member'>();
    expectTypeOf<AppRoleOf<typeof ac>>().toEqualTypeOf<'reader' | 'editor'>();
    expectTypeOf<PermissionOf<typeof ac>>().toEqualTypeOf<'posts:read' | 'posts:write'>();
  });

  it('rejects a grant of a permission that is not declared', () => {
    defineAccessControl({
      permissions: ['posts:read'],
      // @ts-expect-error 'posts:raed' is not in permissions
      appRoles: { reader: ['posts:raed'] },
      orgRoles: {},
    });
    defineAccessControl({
      permissions: ['posts:read'],
      appRoles: { reader: ['posts:read'] },
      // @ts-expect-error 'posts:write' is not in permissions
      orgRoles: { owner: ['posts:write'] },
    });
  });

  it('rejects a default role that is not an app role', () => {
    defineAccessControl({
      permissions: ['posts:read'],
      appRoles: { reader: ['posts:read'] },
      orgRoles: { owner: [] },
      // @ts-expect-error an org role is not an app role
      defaultRole: 'owner',
    });
  });

  it("types the seed's default roles", () => {
    expectTypeOf<AppRoleOf<typeof defaultAccessControl>>().toEqualTypeOf<
      'user' | 'expert_top' | 'expert_community' | 'expert_lecturer' | 'admin' | 'superadmin'
    >();
    expectTypeOf<RoleOf<typeof defaultAccessControl>>().toEqualTypeOf<
      | 'user'
      | 'expert_top'
      | 'expert_community'
      | 'expert_lecturer'
      | 'admin'
      | 'superadmin'
      | 'owner'
      | 'member'
      | 'billing_admin'
    >();
  });
});

describe('an orgkit instance carries the access model', () => {
  const orgkit = createOrgkit({ database, accessControl: ac });
  const seeded = createOrgkit({ database });

  it('accepts only names of its model', () => {
    orgkit.hasRole('user_1', 'editor');
    orgkit.hasAnyRole(undefined, ['owner', 'member']);
    orgkit.hasPermission('user_1', 'posts:write', { organizationId: 'org_1' });
    orgkit.setUserRole('user_1', 'editor');
    // @ts-expect-error misspelled role
    orgkit.hasRole('user_1', 'edtor');
    // @ts-expect-error a role of the default model, not of this one
    orgkit.hasRole('user_1', 'superadmin');
    // @ts-expect-error misspelled role in a list
    orgkit.hasAnyRole('user_1', ['owner', 'ownr']);
    // @ts-expect-error misspelled permission
    orgkit.hasPermission('user_1', 'posts:delete');
    // @ts-expect-error misspelled permission in a list
    orgkit.hasAllPermissions('user_1', ['posts:read', 'post:write']);
    // @ts-expect-error misspelled permission in a list
    orgkit.checkPermissions(undefined, ['posts:wirte']);
    // @ts-expect-error an organization role is not an app role
    orgkit.setUserRole('user_1', 'owner');
    // @ts-expect-error misspelled option
    orgkit.getUserRoles('user_1', { orgId: 'org_1' });
  });

  it("defaults to the seed's roles", () => {
    seeded.hasRole('user_1', 'expert_top');
    seeded.setUserRole('user_1', 'superadmin');
    // @ts-expect-error misspelled seed role
    seeded.hasRole('user_1', 'expert_tops');
    // @ts-expect-error billing_admin is an organization role
    seeded.setUserRole('user_1', 'billing_admin');
  });

  it('types the answers', async () => {
    expectTypeOf(await orgkit.getUserRoles()).toEqualTypeOf<ResolvedRole<typeof ac>[]>();
    expectTypeOf<'editor'>().toExtend<ResolvedRole<typeof ac>>();
    expectTypeOf(await orgkit.hasRole(undefined, 'owner')).toEqualTypeOf<boolean>();
    expectTypeOf(await orgkit.checkPermissions(undefined, ['posts:read'])).toEqualTypeOf<
      PermissionDecision<'posts:read' | 'posts:write'>
    >();
    const access = await orgkit.getAccess('user_1');
    expectTypeOf(access).toEqualTypeOf<Access<typeof ac>>();
    expectTypeOf(access.hasPermission('posts:read')).toEqualTypeOf<boolean>();
    expectTypeOf(access.permissions).toEqualTypeOf<ReadonlySet<'posts:read' | 'posts:write'>>();
    // @ts-expect-error misspelled role on the resolved access
    access.hasRole('readr');
    // @ts-expect-error misspelled permission on the resolved access
    access.hasPermission('posts:remove');
    // The cached answers are the same types, or undefined when nothing is cached.
    expectTypeOf(orgkit.peekAccess()).toEqualTypeOf<Access<typeof ac> | undefined>();
    expectTypeOf(orgkit.peekVerifiedSession('token')).toEqualTypeOf<Session | undefined>();
  });
});
