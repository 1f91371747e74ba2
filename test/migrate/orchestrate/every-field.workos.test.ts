import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/database.js';
import { CLERK_CSV_COLUMNS, migrateFromClerk } from '../../../src/migrate/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../../support/databases.js';
import { PLAIN_STYLE, writeCsv } from '../input/support.js';
import {
  recordingClient,
  type SentRequest,
  setupMigrationEmulator,
  tempDirs,
} from '../run/support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();

const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DP';
const bcrypt = (i: number) => `$2b$10$abcdefghijklmnopqrstuv${String(i).padStart(31, 'A')}`;

/**
 * Clerk Backend API users with every field filled, in varied ways: several addresses and phones
 * (mixed case, verified and not, one malformed), unicode names and usernames, metadata of every
 * kind (nested, unicode, numbers), importable and non-importable digests, a malformed TOTP
 * secret, backup codes, Clerk's other fields, and empty values ('' , null, []).
 */
function fullJsonUsers(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const emails = [
      {
        id: 'idn_a',
        email_address: `Primary.${i}@Example.COM`,
        verification: { status: i % 2 ? 'verified' : 'unverified', strategy: 'email_code' },
      },
      {
        id: 'idn_b',
        email_address: `second.${i}@example.org`,
        verification: { status: 'verified', strategy: 'email_link' },
      },
      { id: 'idn_c', email_address: `THIRD.${i}@example.net`, verification: null },
      ...(i % 3 === 0
        ? [{ id: 'idn_d', email_address: 'not an address', verification: null }]
        : []),
    ];
    const phones = [
      {
        id: 'ph_a',
        phone_number: `+1555000${String(i).padStart(4, '0')}`,
        verification: { status: 'verified' },
      },
      {
        id: 'ph_b',
        phone_number: `+44 20 7946 ${String(i).padStart(4, '0')}`,
        verification: { status: 'unverified' },
      },
    ];
    const hasher = i % 4 === 0 ? 'argon2id' : 'bcrypt';
    return {
      id: `user_full${String(i).padStart(3, '0')}`,
      object: 'user',
      first_name: i % 5 === 4 ? '' : `Zoë ${i} 山田`,
      last_name: i % 5 === 3 ? null : `Ñúñez-O'Brien ${i} 🎉`,
      username: i % 2 ? `zoë_${i}` : `plain_${i}`,
      primary_email_address_id: 'idn_a',
      primary_phone_number_id: 'ph_a',
      email_addresses: emails,
      phone_numbers: phones,
      public_metadata: {
        role: i % 2 ? 'admin' : 'top_expert',
        securityPreferences: { securityAlerts: i % 2 === 0 },
        plan: { tier: 'pro', seats: i },
        bio: 'Ärztin — 東京',
      },
      unsafe_metadata: { expertSetup: { profile: true }, theme: i % 2 ? 'dark' : 'light' },
      private_metadata: i % 3 === 2 ? {} : { stripeCustomerId: `cus_${i}`, notes: ['a', 'ü'] },
      password_digest:
        hasher === 'bcrypt' ? bcrypt(i) : `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$${i}`,
      password_hasher: hasher,
      totp_secret: i % 3 === 1 ? 'not-base32!' : TOTP,
      backup_code_enabled: i % 2 === 0,
      two_factor_enabled: true,
      image_url: `https://img.clerk.com/${i}.png`,
      external_id: i % 2 ? `legacy-${i}` : null,
      created_at: 1_700_000_000_000 + i,
      last_sign_in_at: 1_700_000_500_000 + i,
      web3_wallets: [],
      banned: false,
    };
  });
}

/** The same kind of user as Clerk's dashboard CSV, every column filled. */
function fullCsv(count: number): string {
  const rows = Array.from({ length: count }, (_, i) => {
    const byColumn: Record<(typeof CLERK_CSV_COLUMNS)[number], string> = {
      id: `user_csv${String(i).padStart(3, '0')}`,
      first_name: `Zoë ${i}`,
      last_name: `山田 ${i}`,
      username: `ユーザー${i}`,
      primary_email_address: `CSV.Primary.${i}@Example.com`,
      primary_phone_number: `\t+1555111${String(i).padStart(4, '0')}`,
      verified_email_addresses: `CSV.Primary.${i}@Example.com|other.${i}@example.org`,
      unverified_email_addresses: i % 2 ? `x.${i}@example.net;not-an-email` : `x.${i}@example.net`,
      verified_phone_numbers: `\t+1555111${String(i).padStart(4, '0')}|\t+33 1 23 45 ${String(i).padStart(2, '0')}`,
      unverified_phone_numbers: `\t+49 30 ${i}`,
      totp_secret: i % 2 ? TOTP : 'short',
      password_digest: i % 3 === 0 ? 'md5-digest' : bcrypt(i),
      password_hasher: i % 3 === 0 ? 'md5' : 'bcrypt',
    };
    return CLERK_CSV_COLUMNS.map((c) => byColumn[c]);
  });
  return writeCsv(rows, PLAIN_STYLE);
}

const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.length === 0);

/** The values a field carries that must be found: addresses and numbers for identifications, else every leaf. */
function leavesOf(field: string, value: unknown): string[] {
  if (field === 'email_addresses')
    return (value as { email_address: string }[]).map((e) => e.email_address);
  if (field === 'phone_numbers')
    return (value as { phone_number: string }[]).map((p) => p.phone_number);
  if (typeof value === 'string') {
    // CSV cells: Clerk's formula guard is not part of the value, lists are split.
    return value
      .replace(/\t/g, '')
      .split(/[|,;]/)
      .map((v) => v.trim())
      .filter(Boolean);
  }
  if (value !== null && typeof value === 'object') {
    return Object.values(value).flatMap((v) => leavesOf('', v));
  }
  // A number or boolean is found with its key (`"banned":false`), not as a bare word.
  return [field ? `"${field}":${JSON.stringify(value)}` : JSON.stringify(value)];
}

interface Found {
  recordNumber: number;
  clerkUserId: string;
  field: string;
  missing: string[];
}

async function migrateAndEnumerate(
  input: string,
  users: { id: string; fields: Record<string, unknown> }[],
) {
  const dir = await newDir();
  const database = await openTestDatabase({ url: DATABASE_TARGETS[0]!.url });
  const client = recordingClient(env.emulator);
  try {
    const summary = await migrateFromClerk({
      input,
      outDir: join(dir, 'run'),
      workos: client.workos,
      database: database.db,
      config: { workosMetadata: ['clerk_user_id', 'username', 'primary_phone_number'] },
    });
    expect(summary.workos.counts).toMatchObject({ created: users.length, failed: 0, skipped: 0 });
    const writes = client.writes();
    const reported = new Set(summary.workos.notImported.map((n) => `${n.clerkUserId}|${n.field}`));
    const unaccounted: Found[] = [];
    let checked = 0;
    for (const [index, { id, fields }] of users.entries()) {
      const workosUser = await env.workos.userManagement.getUserByExternalId(id);
      const sentForUser = writes.filter(
        (w: SentRequest) =>
          w.body?.external_id === id || w.path.includes(`/users/${workosUser.id}/`),
      );
      const rows = rowsOf(
        await database.db.execute(sql`
          SELECT row_to_json(u) AS u, row_to_json(p) AS p, row_to_json(e) AS e, row_to_json(pr) AS pr
          FROM users u
          LEFT JOIN orgkit_clerk_profiles p USING (workos_user_id)
          LEFT JOIN expert_setup e USING (workos_user_id)
          LEFT JOIN user_preferences pr USING (workos_user_id)
          WHERE u.workos_user_id = ${workosUser.id}`),
      );
      const haystack = JSON.stringify([workosUser, sentForUser, rows]).toLowerCase();
      for (const [field, value] of Object.entries(fields)) {
        if (isEmpty(value)) continue;
        checked++;
        const missing = leavesOf(field, value).filter(
          (leaf) =>
            !haystack.includes(JSON.stringify(leaf).slice(1, -1).toLowerCase()) &&
            !haystack.includes(leaf.toLowerCase()),
        );
        if (missing.length > 0 && !reported.has(`${id}|${field}`)) {
          unaccounted.push({ recordNumber: index + 1, clerkUserId: id, field, missing });
        }
      }
    }
    return { summary, unaccounted, checked, database, client };
  } catch (error) {
    await database.close();
    throw error;
  }
}

describe('every non-empty field of a fully-filled export is in WorkOS, the database or the report', () => {
  it('the Backend API JSON export', async () => {
    const dir = await newDir();
    const users = fullJsonUsers(12);
    const input = join(dir, 'users.json');
    await writeFile(input, JSON.stringify(users));
    const { summary, unaccounted, checked, database } = await migrateAndEnumerate(
      input,
      users.map((u) => ({ id: u.id as string, fields: u })),
    );
    try {
      expect(checked).toBeGreaterThan(12 * 20);
      expect(unaccounted).toEqual([]);

      // Profile values are kept exactly, unicode and nesting included.
      const profiles = rowsOf<Record<string, unknown>>(
        await database.db.execute(sql`SELECT * FROM orgkit_clerk_profiles ORDER BY clerk_user_id`),
      );
      expect(profiles).toHaveLength(12);
      for (const [i, user] of users.entries()) {
        const p = profiles[i]!;
        expect(p.clerk_user_id).toBe(user.id);
        expect(p.username).toBe(user.username);
        expect(p.public_metadata).toEqual(user.public_metadata);
        expect(p.unsafe_metadata).toEqual(user.unsafe_metadata);
        expect(p.private_metadata).toEqual(user.private_metadata);
        expect(p.verified_email_addresses).toEqual([`second.${i}@example.org`]);
        expect(p.unverified_email_addresses).toEqual([`third.${i}@example.net`]);
        expect(p.primary_phone_number).toBe(`+1555000${String(i).padStart(4, '0')}`);
        expect((p.other as Record<string, unknown>).image_url).toBe(user.image_url);
        expect((p.other as Record<string, unknown>).created_at).toBe(user.created_at);
      }

      // WorkOS metadata within its limits: the unicode usernames stay out and are reported.
      const { data } = await env.workos.userManagement.listUsers({ limit: 100 });
      for (const u of data) {
        expect(u.metadata.clerk_user_id).toBe(u.externalId);
        const i = Number(u.externalId!.slice(-3));
        expect(u.metadata.username).toBe(i % 2 ? undefined : `plain_${i}`);
      }
      const limited = summary.workos.notImported.filter((n) => n.code === 'workos_metadata_limit');
      expect(limited.map((n) => n.field)).toEqual(Array(6).fill('username'));

      // The report counts per field and never holds a value.
      expect(summary.workos.fields.password_digest!.notImported).toEqual({
        unverified_conversion: 3,
      });
      expect(summary.workos.fields.totp_secret).toMatchObject({
        workos: 8,
        notImported: { invalid_totp_secret: 4 },
      });
      expect(summary.workos.fields.backup_code_enabled!.notImported).toEqual({
        backup_codes_not_importable: 6,
      });
      const report = JSON.stringify(summary.workos.notImported);
      for (const u of users) {
        expect(report).not.toContain(String(u.password_digest));
        expect(report.toLowerCase()).not.toContain(`primary.${String(u.id).slice(-3)}`);
      }
    } finally {
      await database.close();
    }
  }, 120_000);

  it('the dashboard CSV export', async () => {
    const dir = await newDir();
    const input = join(dir, 'users.csv');
    const csv = fullCsv(8);
    await writeFile(input, csv);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const users = rows.map((fields) => ({ id: fields.id!, fields }));
    const { summary, unaccounted, checked, database } = await migrateAndEnumerate(input, users);
    try {
      expect(checked).toBe(8 * 13);
      expect(unaccounted).toEqual([]);
      expect(summary.workos.fields.unverified_email_addresses!.notImported).toEqual({
        invalid_secondary_email: 4,
      });
      const profiles = rowsOf<Record<string, unknown>>(
        await database.db.execute(sql`SELECT * FROM orgkit_clerk_profiles ORDER BY clerk_user_id`),
      );
      expect(profiles.map((p) => p.username)).toEqual(users.map((_, i) => `ユーザー${i}`));
      expect(profiles[0]!.verified_phone_numbers).toEqual(['+33 1 23 45 00']);
    } finally {
      await database.close();
    }
  }, 120_000);
});
