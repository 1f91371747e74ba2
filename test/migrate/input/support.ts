import { stringify } from 'csv-stringify/sync';
import {
  CLERK_CSV_COLUMNS,
  type ClerkExportEntry,
  type ClerkUserRecord,
} from '../../../src/migrate/index.js';
import { READ_FIELDS } from '../../../src/migrate/input/clerk-json.js';

/** A Clerk user as a test describes it, before any export writes it. */
export interface UserModel {
  readonly id: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly username?: string;
  /** As written in the export, in any case. */
  readonly primaryEmail: string;
  readonly primaryVerified: boolean;
  readonly otherVerified: readonly string[];
  readonly otherUnverified: readonly string[];
  readonly primaryPhone?: string;
  readonly otherPhones: readonly string[];
  readonly password?: { readonly hasher: string; readonly digest: string };
  readonly totp?: string;
  readonly publicMetadata?: Record<string, unknown>;
}

/** How the CSV writer varies what the dashboard could produce. */
export interface CsvStyle {
  readonly bom: boolean;
  readonly quoted: boolean;
  readonly crlf: boolean;
  /** Picks the separator of each multi-value cell. */
  readonly separator: (cell: number) => '|' | ',' | ';';
  /** Whether Clerk's TAB goes before a value starting with =, +, - or @. */
  readonly guard: (value: number) => boolean;
}

export const PLAIN_STYLE: CsvStyle = {
  bom: false,
  quoted: false,
  crlf: false,
  separator: () => '|',
  guard: () => true,
};

const FORMULA_START = /^[=+\-@]/;

/** One CSV row per user, in the header order of {@link CLERK_CSV_COLUMNS}. */
export function clerkCsvRow(user: UserModel, style: CsvStyle, rowIndex = 0): string[] {
  let valueIndex = rowIndex * 100;
  const guarded = (value: string | undefined) => {
    if (value === undefined) return '';
    return style.guard(valueIndex++) && FORMULA_START.test(value) ? `\t${value}` : value;
  };
  let cellIndex = rowIndex * 10;
  const list = (values: readonly string[]) =>
    values.map(guarded).join(style.separator(cellIndex++));
  const verified = user.primaryVerified
    ? [user.primaryEmail, ...user.otherVerified]
    : user.otherVerified;
  const unverified = user.primaryVerified
    ? user.otherUnverified
    : [user.primaryEmail, ...user.otherUnverified];
  const byColumn: Record<(typeof CLERK_CSV_COLUMNS)[number], string> = {
    id: user.id,
    first_name: guarded(user.firstName),
    last_name: guarded(user.lastName),
    username: guarded(user.username),
    primary_email_address: guarded(user.primaryEmail),
    primary_phone_number: guarded(user.primaryPhone),
    verified_email_addresses: list(verified),
    unverified_email_addresses: list(unverified),
    verified_phone_numbers: list(
      user.primaryPhone ? [user.primaryPhone, ...user.otherPhones] : user.otherPhones,
    ),
    unverified_phone_numbers: '',
    totp_secret: user.totp ?? '',
    password_digest: user.password?.digest ?? '',
    password_hasher: user.password?.hasher ?? '',
  };
  return CLERK_CSV_COLUMNS.map((column) => byColumn[column]);
}

/** Writes rows as csv-stringify does, the header first. */
export function writeCsv(
  rows: readonly (readonly string[])[],
  style: CsvStyle,
  header: readonly string[] = CLERK_CSV_COLUMNS,
): string {
  return stringify([[...header], ...rows.map((r) => [...r])], {
    bom: style.bom,
    quoted: style.quoted,
    // Unlike the dashboard, csv-stringify leaves a lone \n unquoted under CRLF records.
    quoted_match: /[\r\n]/,
    record_delimiter: style.crlf ? 'windows' : 'unix',
  });
}

export const clerkCsv = (users: readonly UserModel[], style: CsvStyle = PLAIN_STYLE) =>
  writeCsv(
    users.map((u, i) => clerkCsvRow(u, style, i)),
    style,
  );

/** A user as Clerk's Backend API returns it. */
export function clerkJsonUser(user: UserModel): Record<string, unknown> {
  const address = (email: string, i: number, verified: boolean) => ({
    id: `idn_${i}`,
    object: 'email_address',
    email_address: email,
    verification: verified
      ? { status: 'verified', strategy: 'email_code' }
      : { status: 'unverified', strategy: 'email_code' },
    linked_to: [],
  });
  const emails = [
    address(user.primaryEmail, 0, user.primaryVerified),
    ...user.otherVerified.map((e, i) => address(e, i + 1, true)),
    ...user.otherUnverified.map((e, i) => address(e, i + 100, false)),
  ];
  const phones = [...(user.primaryPhone ? [user.primaryPhone] : []), ...user.otherPhones].map(
    (phone, i) => ({
      id: `idn_p${i}`,
      object: 'phone_number',
      phone_number: phone,
      verification: { status: 'verified', strategy: 'phone_code' },
    }),
  );
  return {
    id: user.id,
    object: 'user',
    first_name: user.firstName ?? null,
    last_name: user.lastName ?? null,
    username: user.username ?? null,
    primary_email_address_id: 'idn_0',
    primary_phone_number_id: user.primaryPhone ? 'idn_p0' : null,
    email_addresses: emails,
    phone_numbers: phones,
    public_metadata: user.publicMetadata ?? {},
    private_metadata: null,
    unsafe_metadata: {},
    password_enabled: user.password !== undefined,
    created_at: 1_700_000_000_000,
    ...(user.password
      ? { password_digest: user.password.digest, password_hasher: user.password.hasher }
      : {}),
    ...(user.totp ? { totp_secret: user.totp } : {}),
  };
}

/** The record a reader must produce for a user model, secrets revealed. */
export function expectedRecord(user: UserModel, recordNumber: number, source: 'csv' | 'json') {
  const lower = (v: string) => v.toLowerCase();
  const phones = user.primaryPhone
    ? user.otherPhones.filter((p) => p !== user.primaryPhone)
    : user.otherPhones;
  return {
    recordNumber,
    source,
    clerkUserId: user.id,
    primaryEmail: lower(user.primaryEmail),
    primaryEmailVerified: user.primaryVerified,
    verifiedEmails: user.otherVerified.map(lower),
    unverifiedEmails: user.otherUnverified.map(lower),
    firstName: user.firstName,
    lastName: user.lastName,
    username: user.username,
    primaryPhone: user.primaryPhone,
    verifiedPhones: [...new Set(phones)],
    unverifiedPhones: [],
    password: user.password,
    totpSecret: user.totp,
    publicMetadata:
      source === 'json' ? JSON.parse(JSON.stringify(user.publicMetadata ?? {})) : undefined,
    unsafeMetadata: source === 'json' ? {} : undefined,
    privateMetadata: undefined,
    ...(source === 'json' ? { otherFields: jsonOtherFields(user) } : {}),
    presentFields: source === 'json' ? jsonPresentFields(user) : csvPresentFields(user),
    warnings: [],
  };
}

const empty = (v: unknown) =>
  v === null ||
  v === undefined ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.length === 0);

/** The JSON user object's keys that hold a value. */
const jsonPresentFields = (user: UserModel) =>
  Object.entries(clerkJsonUser(user))
    .filter(([, v]) => !empty(v))
    .map(([k]) => k);

const jsonOtherFields = (user: UserModel) =>
  Object.fromEntries(
    Object.entries(clerkJsonUser(user)).filter(([k, v]) => !READ_FIELDS.has(k) && !empty(v)),
  );

/** The CSV columns that hold a value for the user. */
const csvPresentFields = (user: UserModel) => {
  const row = clerkCsvRow(user, PLAIN_STYLE);
  return CLERK_CSV_COLUMNS.filter((_, i) => row[i]!.split('|').some((v) => v.trim() !== ''));
};

/** A record with its secrets revealed, to compare with {@link expectedRecord}. */
export function revealed(record: ClerkUserRecord) {
  return {
    ...record,
    password: record.password && {
      hasher: record.password.hasher,
      digest: record.password.digest.reveal(),
    },
    totpSecret: record.totpSecret?.reveal(),
  };
}

/** Splits text into byte chunks at the given cut points, multi-byte characters included. */
export async function* chunked(text: string, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let start = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (cut > start) yield bytes.subarray(start, cut);
    start = Math.max(start, cut);
  }
  if (start < bytes.length) yield bytes.subarray(start);
}

export async function collect<T>(entries: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

export const records = (entries: readonly ClerkExportEntry[]) =>
  entries.flatMap((e) => (e.ok ? [e.record] : []));
export const rejections = (entries: readonly ClerkExportEntry[]) =>
  entries.flatMap((e) => (e.ok ? [] : [e.rejection]));

/** A bcrypt digest in modular crypt form (the hash is not of any real password). */
export const BCRYPT_DIGEST = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export const user = (
  over: Partial<UserModel> & Pick<UserModel, 'id' | 'primaryEmail'>,
): UserModel => ({
  primaryVerified: true,
  otherVerified: [],
  otherUnverified: [],
  otherPhones: [],
  ...over,
});
