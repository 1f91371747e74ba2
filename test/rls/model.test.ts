import { describe, expect, expectTypeOf, it } from 'vitest';
import { defaultRlsModel, defineRlsModel, generateRlsSql } from '../../src/rls/index.js';
import { defineAccessControl } from '../../src/roles/define-access-control.js';

const invalid = (key: string) =>
  expect.objectContaining({ code: 'invalid_config', message: expect.stringContaining(key) });

describe('defineRlsModel', () => {
  it('names the bad key', () => {
    expect(() => defineRlsModel({ tables: { events: { kind: 'org' } } })).toThrowError(
      invalid('tables.events.organizationColumn'),
    );
    expect(() =>
      defineRlsModel({ tables: { events: { kind: 'org', organizationColumn: 'org id' } } }),
    ).toThrowError(invalid('tables.events.organizationColumn'));
    expect(() => defineRlsModel({ tables: { 'bad"name': { kind: 'internal' } } })).toThrowError(
      invalid('bad"name'),
    );
    expect(() =>
      defineRlsModel({
        tables: { t: { kind: 'append-only', organizationColumn: 'o', commands: { delete: true } } },
      }),
    ).toThrowError(invalid('tables.t.commands.delete'));
    expect(() => defineRlsModel({ tables: { t: { kind: 'nope' as never } } })).toThrowError(
      invalid('tables.t.kind'),
    );
    expect(() => defineRlsModel({ tables: {} })).toThrowError(
      invalid('declare at least one table'),
    );
    expect(() =>
      defineRlsModel({ tables: { t: { kind: 'owner', userColumn: 'u', extra: 1 } as never } }),
    ).toThrowError(invalid('tables.t'));
  });

  it('refuses a table name whose policy names would pass 63 characters', () => {
    const long = `t${'x'.repeat(58)}`;
    const model = defineRlsModel({ tables: { [long]: { kind: 'org', organizationColumn: 'o' } } });
    expect(() => generateRlsSql(model, { target: 'postgres' })).toThrowError(invalid(long));
  });

  it('types permission and role names from the access model', () => {
    const ac = defineAccessControl({
      permissions: ['meetings:delete'],
      appRoles: { user: [] },
      orgRoles: { admin: ['meetings:delete'] },
    });
    const ok = () =>
      defineRlsModel<typeof ac>({
        tables: {
          m: { kind: 'org', organizationColumn: 'o', commands: { delete: { orgRole: 'admin' } } },
        },
      });
    expectTypeOf(ok).returns.toHaveProperty('tables');
    defineRlsModel<typeof ac>({
      tables: {
        m: {
          kind: 'org',
          organizationColumn: 'o',
          // @ts-expect-error a permission the access model does not have
          commands: { delete: { permission: 'meetings:remove' } },
        },
      },
    });
  });

  it('the default model covers every orgkit table, renamed ones too', () => {
    expect(Object.keys(defaultRlsModel().tables).sort()).toEqual([
      'audit_logs',
      'expert_setup',
      'organizations',
      'orgkit_audit_checkpoints',
      'orgkit_audit_heads',
      'orgkit_audit_outbox',
      'orgkit_clerk_profiles',
      'orgkit_emergency_access',
      'orgkit_guest_provisioning',
      'orgkit_migrations',
      'orgkit_mirror_tombstones',
      'orgkit_session_refreshes',
      'orgkit_sync_cursors',
      'orgkit_token_revocations',
      'user_org_memberships',
      'user_preferences',
      'users',
    ]);
    const renamed = generateRlsSql(
      defaultRlsModel({ users: 'app_users', userOrgMemberships: 'members' }),
      {
        target: 'postgres',
      },
    );
    expect(renamed).toContain('"public"."app_users"');
    expect(renamed).toContain('FROM "public"."members" m');
    expect(renamed).not.toContain('"user_org_memberships"');
  });
});
