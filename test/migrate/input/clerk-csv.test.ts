import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLERK_CSV_COLUMNS, readClerkExport } from '../../../src/migrate/index.js';
import {
  BCRYPT_DIGEST,
  clerkCsv,
  clerkCsvRow,
  collect,
  expectedRecord,
  PLAIN_STYLE,
  records,
  rejections,
  revealed,
  TOTP_SECRET,
  user,
  writeCsv,
} from './support.js';

const read = (content: string) => collect(readClerkExport({ content }));
const HEADER = CLERK_CSV_COLUMNS.join(',');
const row = (cells: Partial<Record<(typeof CLERK_CSV_COLUMNS)[number], string>>) =>
  CLERK_CSV_COLUMNS.map((c) => cells[c] ?? '').join(',');

describe('readClerkExport: the dashboard CSV', () => {
  it('reads a byte-order mark, CRLF, quoted commas, quotes, newlines and unicode names', async () => {
    const ada = user({
      id: 'user_2ada',
      firstName: 'Zoë, "Z"',
      lastName: 'Ó Briain\r\nde la Peña 山田',
      username: 'ada',
      primaryEmail: 'Ada@Example.COM',
      password: { hasher: 'bcrypt', digest: BCRYPT_DIGEST },
      totp: TOTP_SECRET,
    });
    const csv = clerkCsv([ada], { ...PLAIN_STYLE, bom: true, crlf: true });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('"Zoë, ""Z"""');
    const entries = await read(csv);
    expect(entries.map((e) => e.ok)).toEqual([true]);
    expect(revealed(records(entries)[0]!)).toEqual(expectedRecord(ada, 1, 'csv'));
  });

  it('counts a one-value column holding only a separator character as present: it is migrated', async () => {
    const csv = [
      HEADER,
      row({
        id: 'user_1',
        first_name: '","',
        last_name: ';',
        primary_email_address: 'a@example.com',
      }),
    ].join('\n');
    const [record] = records(await read(csv));
    expect(record).toMatchObject({ firstName: ',', lastName: ';' });
    expect(record!.presentFields).toEqual([
      'id',
      'first_name',
      'last_name',
      'primary_email_address',
    ]);
  });

  it('strips the TAB Clerk puts before values starting with =, +, - or @, phones and emails included', async () => {
    const csv = [
      HEADER,
      row({
        id: 'user_1',
        first_name: '\t=Ann',
        last_name: '\t-Lee',
        primary_email_address: '\t-ann@example.com',
        primary_phone_number: '\t+15551230001',
        verified_email_addresses: '\t-ann@example.com|\t+tag@example.com',
        verified_phone_numbers: '\t+15551230001|\t+15551230002',
        unverified_phone_numbers: '\t+15551230003',
      }),
      row({
        id: 'user_2',
        primary_email_address: '-ANN@example.com',
        verified_email_addresses: '-ann@example.com',
      }),
    ].join('\n');
    const entries = await read(csv);
    const [ann] = records(entries);
    expect(ann).toMatchObject({
      firstName: '=Ann',
      lastName: '-Lee',
      primaryEmail: '-ann@example.com',
      primaryEmailVerified: true,
      verifiedEmails: ['+tag@example.com'],
      primaryPhone: '+15551230001',
      verifiedPhones: ['+15551230002'],
      unverifiedPhones: ['+15551230003'],
    });
    // The TAB is gone before de-duplicating: the second row is the same address.
    expect(rejections(entries)).toEqual([
      {
        recordNumber: 2,
        clerkUserId: 'user_2',
        code: 'duplicate_email',
        reason: 'the same primary email address as record 1',
      },
    ]);
  });

  it('splits multi-value cells by |, , and ; alike', async () => {
    const csv = [
      HEADER,
      row({
        id: 'user_1',
        primary_email_address: 'a@example.com',
        verified_email_addresses: '"a@example.com,b@example.com"',
        unverified_email_addresses: 'c@example.com;d@example.com|e@example.com',
        verified_phone_numbers: '"+15550000001, +15550000002"',
      }),
    ].join('\n');
    const [record] = records(await read(csv));
    expect(record).toMatchObject({
      primaryEmailVerified: true,
      verifiedEmails: ['b@example.com'],
      unverifiedEmails: ['c@example.com', 'd@example.com', 'e@example.com'],
      verifiedPhones: ['+15550000001', '+15550000002'],
    });
  });

  it('marks the primary address verified only when Clerk lists it as verified', async () => {
    const csv = [
      HEADER,
      // Clerk lists an unverified primary address under unverified_email_addresses.
      row({
        id: 'user_1',
        primary_email_address: 'a@example.com',
        unverified_email_addresses: 'a@example.com',
        verified_email_addresses: 'x@example.com',
      }),
      row({ id: 'user_2', primary_email_address: 'b@example.com' }),
      row({
        id: 'user_3',
        primary_email_address: 'c@example.com',
        verified_email_addresses: 'c@example.com',
        unverified_email_addresses: 'C@example.com',
      }),
      row({
        id: 'user_4',
        primary_email_address: 'D@Example.com',
        verified_email_addresses: 'd@example.COM',
      }),
    ].join('\n');
    const verified = records(await read(csv)).map((r) => [r.clerkUserId, r.primaryEmailVerified]);
    expect(verified).toEqual([
      ['user_1', false],
      ['user_2', false],
      ['user_3', false],
      ['user_4', true],
    ]);
  });

  it('rejects missing ids, malformed ids, missing and malformed emails and duplicates, and reads on', async () => {
    const csv = [
      HEADER,
      row({ id: 'user_1', primary_email_address: 'one@example.com' }),
      row({ id: '', primary_email_address: 'two@example.com' }),
      row({ id: 'user 3', primary_email_address: 'three@example.com' }),
      row({ id: 'user_4', primary_email_address: '' }),
      row({ id: 'user_5', primary_email_address: 'five@' }),
      row({ id: 'user_6', primary_email_address: 'five@example.com@x' }),
      row({ id: 'user_1', primary_email_address: 'seven@example.com' }),
      row({ id: 'user_8', primary_email_address: ' ONE@example.com ' }),
      row({ id: 'user_9', primary_email_address: 'nine@example.com' }),
    ].join('\n');
    const entries = await read(csv);
    expect(entries.map((e) => (e.ok ? e.record.recordNumber : e.rejection.recordNumber))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(rejections(entries).map((r) => [r.recordNumber, r.code, r.clerkUserId])).toEqual([
      [2, 'missing_id', undefined],
      [3, 'invalid_id', undefined],
      [4, 'missing_email', 'user_4'],
      [5, 'invalid_email', 'user_5'],
      [6, 'invalid_email', 'user_6'],
      [7, 'duplicate_id', 'user_1'],
      [8, 'duplicate_email', 'user_8'],
    ]);
    expect(records(entries).map((r) => r.clerkUserId)).toEqual(['user_1', 'user_9']);
  });

  it('a rejected record claims neither its id nor its email', async () => {
    const csv = [
      HEADER,
      row({ id: 'user_1', primary_email_address: 'not an email' }),
      row({ id: 'user_1', primary_email_address: 'one@example.com' }),
    ].join('\n');
    const entries = await read(csv);
    expect(entries.map((e) => e.ok)).toEqual([false, true]);
  });

  it('reports a row of the wrong width with its record number and reads on', async () => {
    const csv = [
      HEADER,
      row({ id: 'user_1', primary_email_address: 'one@example.com' }),
      'user_2,too,few',
      `${row({ id: 'user_3', primary_email_address: 'three@example.com' })},extra`,
      '',
      row({ id: 'user_4', primary_email_address: 'four@example.com' }),
    ].join('\n');
    const entries = await read(csv);
    expect(rejections(entries)).toEqual([
      {
        recordNumber: 2,
        clerkUserId: 'user_2',
        code: 'malformed_row',
        reason: 'has 3 fields where the header has 13',
      },
      {
        recordNumber: 3,
        clerkUserId: 'user_3',
        code: 'malformed_row',
        reason: 'has 14 fields where the header has 13',
      },
    ]);
    expect(records(entries).map((r) => [r.recordNumber, r.clerkUserId])).toEqual([
      [1, 'user_1'],
      [4, 'user_4'],
    ]);
  });

  it('keeps stray quotes inside unquoted fields as text', async () => {
    const csv = [
      HEADER,
      row({
        id: 'user_1',
        first_name: 'Dwayne "The Rock"',
        primary_email_address: 'r@example.com',
      }),
    ].join('\n');
    expect(records(await read(csv))[0]?.firstName).toBe('Dwayne "The Rock"');
  });

  it('leaves out a malformed secondary address or TOTP secret with a warning, not the user', async () => {
    const csv = [
      HEADER,
      row({
        id: 'user_1',
        primary_email_address: 'a@example.com',
        verified_email_addresses: 'a@example.com|nope|b@example.com',
        totp_secret: 'not base32!',
      }),
    ].join('\n');
    const [record] = records(await read(csv));
    expect(record?.verifiedEmails).toEqual(['b@example.com']);
    expect(record?.totpSecret).toBeUndefined();
    expect(record?.warnings).toEqual([
      { code: 'invalid_secondary_email', field: 'verified_email_addresses' },
      { code: 'invalid_totp_secret', field: 'totp_secret' },
    ]);
  });

  it('keeps the digest and its hasher, lower-cased, and no password without a digest', async () => {
    const csv = [
      HEADER,
      row({
        id: 'user_1',
        primary_email_address: 'a@example.com',
        password_digest: BCRYPT_DIGEST,
        password_hasher: 'BCrypt',
      }),
      row({ id: 'user_2', primary_email_address: 'b@example.com', password_hasher: 'bcrypt' }),
      row({ id: 'user_3', primary_email_address: 'c@example.com', password_digest: 'abc' }),
    ].join('\n');
    const [one, two, three] = records(await read(csv));
    expect(one?.password?.hasher).toBe('bcrypt');
    expect(one?.password?.digest.reveal()).toBe(BCRYPT_DIGEST);
    expect(two?.password).toBeUndefined();
    expect(three?.password?.hasher).toBeUndefined();
  });

  it('names every missing column, and accepts extra columns in any order', async () => {
    const header = CLERK_CSV_COLUMNS.filter((c) => c !== 'id' && c !== 'password_hasher');
    await expect(read(`${header.join(',')}\n`)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Clerk CSV export: missing required columns "id", "password_hasher"',
    });
    const reordered = ['created_at', ...[...CLERK_CSV_COLUMNS].reverse()];
    const csv = writeCsv(
      [
        [
          '1700000000000',
          ...clerkCsvRow(
            user({ id: 'user_1', primaryEmail: 'a@example.com' }),
            PLAIN_STYLE,
          ).reverse(),
        ],
      ],
      PLAIN_STYLE,
      reordered,
    );
    expect(records(await read(csv)).map((r) => r.primaryEmail)).toEqual(['a@example.com']);
  });

  it('refuses a header naming a column twice, and an empty file', async () => {
    await expect(read(`${HEADER},id\n`)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Clerk CSV export: the column "id" appears twice',
    });
    await expect(read('')).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Clerk export: the file is empty',
    });
    await expect(read('\uFEFF \n')).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await read(`${HEADER}\n`)).toEqual([]);
  });

  it('throws, naming the record, when a quote never closes and the rest cannot be read', async () => {
    const csv = [
      HEADER,
      row({ id: 'user_1', primary_email_address: 'one@example.com' }),
      row({ id: 'user_2', first_name: '"Unclosed', primary_email_address: 'two@example.com' }),
      row({ id: 'user_3', primary_email_address: 'three@example.com' }),
    ].join('\n');
    const seen: number[] = [];
    const reading = (async () => {
      for await (const entry of readClerkExport({ content: csv })) {
        if (entry.ok) seen.push(entry.record.recordNumber);
      }
    })();
    await expect(reading).rejects.toMatchObject({
      code: 'invalid_input',
      reason: 'unreadable_input',
      details: { recordNumber: 2, line: 3 },
    });
    expect(seen).toEqual([1]);
  });

  it('reads a file by path, and refuses a path it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orgkit-clerk-'));
    const file = join(dir, 'users.csv');
    await writeFile(
      file,
      clerkCsv([user({ id: 'user_1', primaryEmail: 'a@example.com' })], {
        ...PLAIN_STYLE,
        bom: true,
      }),
    );
    expect(
      records(await collect(readClerkExport({ path: file }))).map((r) => r.clerkUserId),
    ).toEqual(['user_1']);
    await expect(
      collect(readClerkExport({ path: join(dir, 'missing.csv') })),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      reason: 'unreadable_input',
      message: expect.stringContaining('ENOENT'),
    });
  });

  it('forces CSV on a file that would be detected as JSON', async () => {
    await expect(collect(readClerkExport({ content: '[1]', format: 'csv' }))).rejects.toMatchObject(
      {
        message: expect.stringContaining('missing required columns'),
      },
    );
  });
});
