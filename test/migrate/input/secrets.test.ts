import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLERK_CSV_COLUMNS, readClerkExport } from '../../../src/migrate/index.js';
import { collect, records, rejections } from './support.js';

// Values no report may carry. The TOTP secret is shaped like a Clerk id on purpose.
const DIGEST = '$2b$12$SecretSaltSecretSaltSeSecretHashSecretHashSecretHashS';
const TOTP = 'SECRETTOTPSECRETTOTP2345';
const row = (cells: Partial<Record<(typeof CLERK_CSV_COLUMNS)[number], string>>) =>
  CLERK_CSV_COLUMNS.map((c) => cells[c] ?? '').join(',');
const secret = { totp_secret: TOTP, password_digest: DIGEST, password_hasher: 'bcrypt' };

const leaks = (text: string) =>
  text.includes(DIGEST) || text.includes(TOTP) || text.includes('SecretSalt');

describe('secrets in the input layer', () => {
  it('a record prints, serialises and inspects its digest and TOTP secret as [redacted]', async () => {
    const csv = [
      CLERK_CSV_COLUMNS.join(','),
      row({ id: 'user_1', primary_email_address: 'a@example.com', ...secret }),
    ].join('\n');
    const [record] = records(await collect(readClerkExport({ content: csv })));
    expect(record?.password?.digest.reveal()).toBe(DIGEST);
    expect(record?.totpSecret?.reveal()).toBe(TOTP);
    for (const text of [
      JSON.stringify(record),
      inspect(record, { depth: 10 }),
      String(record?.totpSecret),
      `${record?.password?.digest}`,
    ]) {
      expect(leaks(text), text).toBe(false);
    }
    expect(JSON.stringify(record?.password)).toBe('{"hasher":"bcrypt","digest":"[redacted]"}');
  });

  it('no rejection carries a secret, whatever made the record bad', async () => {
    const csv = [
      CLERK_CSV_COLUMNS.join(','),
      row({ id: 'user_1', primary_email_address: 'a@example.com' }),
      row({ id: 'user_2', primary_email_address: 'not an email', ...secret }),
      row({ id: '', primary_email_address: 'b@example.com', ...secret }),
      row({ id: 'user_1', primary_email_address: 'c@example.com', ...secret }),
      row({ id: 'user_5', primary_email_address: 'A@example.com', ...secret }),
      // Fields shifted left: the TOTP secret and the digest sit where the id should be.
      `${TOTP},${DIGEST},bcrypt`,
      `${DIGEST},bcrypt`,
    ].join('\n');
    const found = rejections(await collect(readClerkExport({ content: csv })));
    expect(found.map((r) => r.code)).toEqual([
      'invalid_email',
      'missing_id',
      'duplicate_id',
      'duplicate_email',
      'malformed_row',
      'malformed_row',
    ]);
    for (const rejection of found) {
      expect(leaks(JSON.stringify(rejection)), JSON.stringify(rejection)).toBe(false);
      expect(leaks(inspect(rejection)) || leaks(String(rejection))).toBe(false);
    }
  });

  it('an unreadable file names positions, never the text around them', async () => {
    const csv = [
      CLERK_CSV_COLUMNS.join(','),
      row({
        id: 'user_1',
        first_name: `"${TOTP}`,
        primary_email_address: 'a@example.com',
        password_digest: DIGEST,
      }),
    ].join('\n');
    const error = await collect(readClerkExport({ content: csv })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input', reason: 'unreadable_input' });
    expect(leaks(String(error)) || leaks(JSON.stringify(error)) || leaks(inspect(error))).toBe(
      false,
    );

    const json = `[{"id":"user_1","totp_secret":"${TOTP}","password_digest":"${DIGEST}" oops}]`;
    const jsonError = await collect(readClerkExport({ content: json })).catch((e: unknown) => e);
    expect(jsonError).toMatchObject({ code: 'invalid_input', reason: 'unreadable_input' });
    expect(leaks(String(jsonError)) || leaks(inspect(jsonError))).toBe(false);
  });
});
