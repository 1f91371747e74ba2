import { describe, expect, it } from 'vitest';
import { readOrganizationMapping, readRoleMapping } from '../../../src/migrate/index.js';
import { collect } from './support.js';

describe('readOrganizationMapping', () => {
  it('reads rows with a byte-order mark, quoted names, unicode and CRLF', async () => {
    const csv =
      '\uFEFFclerk_user_id,org_external_id,org_name\r\nuser_1,acme,"Acme, Inc."\r\nuser_2,acme,"Acme, Inc."\r\nuser_2,zürich-ag,"Zürich ""AG"""\r\n';
    const entries = await collect(readOrganizationMapping({ content: csv }));
    expect(entries).toEqual([
      {
        ok: true,
        row: {
          recordNumber: 1,
          clerkUserId: 'user_1',
          orgExternalId: 'acme',
          orgName: 'Acme, Inc.',
        },
      },
      {
        ok: true,
        row: {
          recordNumber: 2,
          clerkUserId: 'user_2',
          orgExternalId: 'acme',
          orgName: 'Acme, Inc.',
        },
      },
      {
        ok: false,
        rejection: {
          recordNumber: 3,
          clerkUserId: 'user_2',
          code: 'invalid_org_external_id',
          reason: 'org_external_id is not 1 to 128 printable ASCII characters',
        },
      },
    ]);
  });

  it('rejects bad rows by record number and reads on', async () => {
    const csv = [
      'org_name,clerk_user_id,org_external_id,extra',
      'A,user_1,org_a,',
      'A,,org_a,',
      'A,user 3,org_a,',
      'A,user_4,,',
      `A,user_5,${'x'.repeat(129)},`,
      ',user_6,org_a,',
      'Another name,user_7,org_a,',
      'A,user_1,org_a,',
      'A,user_9',
      'A,user_10,org_a,',
    ].join('\n');
    const entries = await collect(readOrganizationMapping({ content: csv }));
    expect(
      entries.map((e) =>
        e.ok ? [e.row.recordNumber, 'ok'] : [e.rejection.recordNumber, e.rejection.code],
      ),
    ).toEqual([
      [1, 'ok'],
      [2, 'missing_id'],
      [3, 'invalid_id'],
      [4, 'invalid_org_external_id'],
      [5, 'invalid_org_external_id'],
      [6, 'missing_org_name'],
      [7, 'conflicting_org_name'],
      [8, 'duplicate_row'],
      [9, 'malformed_row'],
      [10, 'ok'],
    ]);
  });

  it('names a missing column', async () => {
    await expect(
      collect(readOrganizationMapping({ content: 'clerk_user_id,org_name\n' })),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'organizations mapping: missing required column "org_external_id"',
    });
  });
});

describe('readRoleMapping', () => {
  it('reads roles and rejects bad rows', async () => {
    const csv = [
      'clerk_user_id,role_slug',
      'user_1,admin',
      'user_2,top expert',
      'user_3,',
      'user_1,admin',
      'user_1,member',
    ].join('\n');
    const entries = await collect(readRoleMapping({ content: csv }));
    expect(entries).toEqual([
      { ok: true, row: { recordNumber: 1, clerkUserId: 'user_1', roleSlug: 'admin' } },
      {
        ok: false,
        rejection: {
          recordNumber: 2,
          clerkUserId: 'user_2',
          code: 'invalid_role_slug',
          reason: 'role_slug is empty or contains white space',
        },
      },
      {
        ok: false,
        rejection: {
          recordNumber: 3,
          clerkUserId: 'user_3',
          code: 'invalid_role_slug',
          reason: 'role_slug is empty or contains white space',
        },
      },
      {
        ok: false,
        rejection: {
          recordNumber: 4,
          clerkUserId: 'user_1',
          code: 'duplicate_row',
          reason: 'the same user and role as record 1',
        },
      },
      { ok: true, row: { recordNumber: 5, clerkUserId: 'user_1', roleSlug: 'member' } },
    ]);
  });

  it('names a missing column, and refuses bad options', async () => {
    await expect(
      collect(readRoleMapping({ content: 'clerk_user_id\nuser_1\n' })),
    ).rejects.toMatchObject({
      message: 'roles mapping: missing required column "role_slug"',
    });
    expect(() => readRoleMapping({ path: 'a.csv', content: 'x' } as never)).toThrowError(
      expect.objectContaining({
        code: 'invalid_input',
        message: 'readRoleMapping: pass exactly one of path and content',
      }),
    );
    expect(() => readOrganizationMapping({} as never)).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
