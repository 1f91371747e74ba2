import { describe, expect, it } from 'vitest';
import { readClerkExport } from '../../../src/migrate/index.js';
import {
  BCRYPT_DIGEST,
  chunked,
  clerkJsonUser,
  collect,
  expectedRecord,
  records,
  rejections,
  revealed,
  TOTP_SECRET,
  user,
} from './support.js';

const read = (content: string) => collect(readClerkExport({ content }));
const address = (id: string, email: string, status: string | null) => ({
  id,
  object: 'email_address',
  email_address: email,
  verification: status === null ? null : { status, strategy: 'email_code', attempts: null },
  linked_to: [],
});

describe('readClerkExport: the Backend API / CLI JSON export', () => {
  it('reads the user object with names, metadata, digest and TOTP secret', async () => {
    const ada = user({
      id: 'user_2ada',
      firstName: 'Zoë',
      lastName: '山田',
      username: 'ada',
      primaryEmail: 'Ada@Example.com',
      otherVerified: ['ada.work@example.com'],
      otherUnverified: ['old@example.com'],
      primaryPhone: '+15551234567',
      password: { hasher: 'bcrypt', digest: BCRYPT_DIGEST },
      totp: TOTP_SECRET,
      publicMetadata: { role: ['top_expert'], securityPreferences: { securityAlerts: false } },
    });
    const entries = await read(JSON.stringify([clerkJsonUser(ada)], null, 2));
    expect(revealed(records(entries)[0]!)).toEqual(expectedRecord(ada, 1, 'json'));
  });

  it('takes the primary address by primary_email_address_id and its verification status', async () => {
    const base = { object: 'user', public_metadata: {}, unsafe_metadata: {}, private_metadata: {} };
    const entries = await read(
      JSON.stringify([
        {
          ...base,
          id: 'user_1',
          primary_email_address_id: 'idn_b',
          email_addresses: [
            address('idn_a', 'a@example.com', 'verified'),
            address('idn_b', 'B@example.com', 'unverified'),
          ],
        },
        {
          ...base,
          id: 'user_2',
          primary_email_address_id: 'idn_c',
          email_addresses: [address('idn_c', 'c@example.com', null)],
        },
        {
          ...base,
          id: 'user_3',
          primary_email_address_id: 'idn_d',
          email_addresses: [address('idn_d', 'd@example.com', 'expired')],
        },
        {
          ...base,
          id: 'user_4',
          primary_email_address_id: 'idn_missing',
          email_addresses: [address('idn_e', 'e@example.com', 'verified')],
        },
        { ...base, id: 'user_5', primary_email_address_id: null, email_addresses: [] },
      ]),
    );
    expect(
      records(entries).map((r) => [
        r.clerkUserId,
        r.primaryEmail,
        r.primaryEmailVerified,
        r.verifiedEmails,
      ]),
    ).toEqual([
      ['user_1', 'b@example.com', false, ['a@example.com']],
      ['user_2', 'c@example.com', false, []],
      ['user_3', 'd@example.com', false, []],
    ]);
    expect(rejections(entries)).toEqual([
      {
        recordNumber: 4,
        clerkUserId: 'user_4',
        code: 'missing_email',
        reason: 'primary_email_address_id names no address in email_addresses',
      },
      {
        recordNumber: 5,
        clerkUserId: 'user_5',
        code: 'missing_email',
        reason: 'no primary email address',
      },
    ]);
  });

  it('rejects records that are not user objects, naming the field but not its value', async () => {
    const entries = await read(
      JSON.stringify([
        42,
        null,
        { id: 'user_3', email_addresses: 'a@example.com|b@example.com' },
        { id: 'user_4', public_metadata: ['not', 'an', 'object'] },
        { id: 7, email_addresses: [] },
        { first_name: 'No id' },
      ]),
    );
    expect(rejections(entries)).toEqual([
      { recordNumber: 1, code: 'invalid_record', reason: 'is not a JSON object' },
      { recordNumber: 2, code: 'invalid_record', reason: 'is not a JSON object' },
      {
        recordNumber: 3,
        clerkUserId: 'user_3',
        code: 'invalid_record',
        reason: `"email_addresses" does not have the shape of Clerk's user object`,
      },
      {
        recordNumber: 4,
        clerkUserId: 'user_4',
        code: 'invalid_record',
        reason: `"public_metadata" does not have the shape of Clerk's user object`,
      },
      {
        recordNumber: 5,
        code: 'invalid_record',
        reason: `"id" does not have the shape of Clerk's user object`,
      },
      { recordNumber: 6, code: 'missing_id', reason: 'no Clerk user id' },
    ]);
  });

  it('reports Clerk backup codes as not importable, and only where the user has them', async () => {
    const withCodes = {
      ...clerkJsonUser(user({ id: 'user_2codes', primaryEmail: 'codes@example.com' })),
      backup_code_enabled: true,
    };
    const without = {
      ...clerkJsonUser(user({ id: 'user_2none', primaryEmail: 'none@example.com' })),
      backup_code_enabled: false,
    };
    const [first, second] = records(await read(JSON.stringify([withCodes, without])));
    expect(first?.warnings).toEqual([
      { code: 'backup_codes_not_importable', field: 'backup_code_enabled' },
    ]);
    expect(second?.warnings).toEqual([]);
  });

  it('passes metadata through as parsed, a "__proto__" key kept as data', async () => {
    const base = clerkJsonUser(user({ id: 'user_1', primaryEmail: 'one@example.com' }));
    const json = JSON.stringify([base]).replace(
      '"public_metadata":{}',
      '"public_metadata":{"__proto__":{"role":"admin"},"role":["expert"]}',
    );
    const [record] = records(await read(json));
    expect(Object.keys(record?.publicMetadata ?? {})).toEqual(['__proto__', 'role']);
    expect(Object.getPrototypeOf(record?.publicMetadata)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it('de-duplicates by Clerk id and by primary email', async () => {
    const one = clerkJsonUser(user({ id: 'user_1', primaryEmail: 'one@example.com' }));
    const entries = await read(
      JSON.stringify([
        one,
        clerkJsonUser(user({ id: 'user_1', primaryEmail: 'two@example.com' })),
        clerkJsonUser(user({ id: 'user_3', primaryEmail: 'ONE@example.com' })),
      ]),
    );
    expect(rejections(entries).map((r) => [r.recordNumber, r.code])).toEqual([
      [2, 'duplicate_id'],
      [3, 'duplicate_email'],
    ]);
  });

  it('streams: a byte-order mark and chunks splitting multi-byte characters change nothing', async () => {
    const users = ['Zoë', '山田', '🧑🏽‍💻 Dev'].map((name, i) =>
      user({ id: `user_${i}`, firstName: name, primaryEmail: `u${i}@example.com` }),
    );
    const json = `\uFEFF${JSON.stringify(users.map(clerkJsonUser))}`;
    const cuts = Array.from({ length: 200 }, (_, i) => i * 7 + 1);
    const entries = await collect(readClerkExport({ content: chunked(json, cuts) }));
    expect(records(entries).map((r) => r.firstName)).toEqual(['Zoë', '山田', '🧑🏽‍💻 Dev']);
  });

  it('reports the records before a syntax error, then throws naming where the file breaks', async () => {
    const good = JSON.stringify(
      clerkJsonUser(user({ id: 'user_1', primaryEmail: 'one@example.com' })),
    );
    const seen: number[] = [];
    const reading = (async () => {
      for await (const entry of readClerkExport({ content: `[${good}, {"id": x}]` })) {
        if (entry.ok) seen.push(entry.record.recordNumber);
      }
    })();
    await expect(reading).rejects.toMatchObject({
      code: 'invalid_input',
      reason: 'unreadable_input',
      details: { recordNumber: 2 },
    });
    expect(seen).toEqual([1]);
    await expect(read(`[${good},`)).rejects.toMatchObject({ details: { recordNumber: 2 } });
  });

  it('refuses JSON that is not an array of users', async () => {
    await expect(read('{"data": []}')).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Clerk JSON export: expected a JSON array of users',
    });
    await expect(
      collect(readClerkExport({ content: '{"data": []}', format: 'json' })),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Clerk JSON export: expected a JSON array of users',
    });
    expect(await read('  []  ')).toEqual([]);
  });
});
