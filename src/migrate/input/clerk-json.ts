import { JSONParser } from '@streamparser/json';
import * as z from 'zod';
import type { JsonObject } from '../../audit/json-value.js';
import { OrgkitError } from '../../errors/index.js';
import { cleanValue } from './clerk-values.js';
import { metadataSchema } from './field-schemas.js';
import { buildRecord, type RecordCandidate, rejection } from './record-builder.js';
import type { ClerkExportEntry } from './types.js';

// Clerk's Backend API user object (`UserJSON` in @clerk/backend), as `GET /v1/users` and the CLI
// return it; the fields orgkit reads. Digests and TOTP secrets are there only in exports made by
// Clerk support. Unknown fields are allowed: Clerk adds them.
const verification = z.object({ status: z.string() }).loose().nullish();
const emailAddress = z
  .object({ id: z.string().nullish(), email_address: z.string(), verification })
  .loose();
const phoneNumber = z
  .object({ id: z.string().nullish(), phone_number: z.string(), verification })
  .loose();
const text = z.string().nullish();

const clerkUserJson = z
  .object({
    id: text,
    first_name: text,
    last_name: text,
    username: text,
    primary_email_address_id: text,
    primary_phone_number_id: text,
    email_addresses: z.array(emailAddress).nullish(),
    phone_numbers: z.array(phoneNumber).nullish(),
    public_metadata: metadataSchema,
    unsafe_metadata: metadataSchema,
    private_metadata: metadataSchema,
    password_digest: text,
    password_hasher: text,
    totp_secret: text,
    backup_code_enabled: z.boolean().nullish(),
  })
  .loose();

type ClerkUserJson = z.output<typeof clerkUserJson>;
type Identification = { id?: string | null; verification?: { status: string } | null };

/** Splits addresses into verified and not, and finds the primary one by its id. */
function identifications<T extends Identification>(
  items: readonly T[] | null | undefined,
  primaryId: string | null | undefined,
  addressOf: (item: T) => string,
) {
  const verified: string[] = [];
  const unverified: string[] = [];
  let primary: string | undefined;
  for (const item of items ?? []) {
    const value = cleanValue(addressOf(item));
    if (value === undefined) continue;
    (item.verification?.status === 'verified' ? verified : unverified).push(value);
    if (primaryId && item.id === primaryId) primary = value;
  }
  return { verified, unverified, primary };
}

/**
 * Fields with a place of their own (a typed profile column, WorkOS, or a secret never stored);
 * every other non-null field of the user object is kept in the profile's `other` column as is.
 * @internal
 */
export const READ_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'first_name',
  'last_name',
  'username',
  'email_addresses',
  'phone_numbers',
  'public_metadata',
  'unsafe_metadata',
  'private_metadata',
  'password_digest',
  'password_hasher',
  'totp_secret',
]);

const isEmpty = (value: unknown) =>
  value === null ||
  value === undefined ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0);

/** The user object's other fields (timestamps, image URL, identification ids, …), as parsed. */
function otherFieldsOf(user: Record<string, unknown>): JsonObject | undefined {
  const other: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(user)) {
    if (READ_FIELDS.has(key) || isEmpty(value)) continue;
    Object.defineProperty(other, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return Object.keys(other).length > 0 ? (other as JsonObject) : undefined;
}

function candidate(
  recordNumber: number,
  user: ClerkUserJson,
  raw: Record<string, unknown>,
): RecordCandidate {
  const emails = identifications(
    user.email_addresses,
    user.primary_email_address_id,
    (e) => e.email_address,
  );
  const phones = identifications(
    user.phone_numbers,
    user.primary_phone_number_id,
    (p) => p.phone_number,
  );
  const missingEmailReason = user.primary_email_address_id
    ? 'primary_email_address_id names no address in email_addresses'
    : undefined;
  const metadata = (value: unknown) => (value ?? undefined) as JsonObject | undefined;
  return {
    recordNumber,
    source: 'json',
    clerkUserId: cleanValue(user.id),
    primaryEmail: emails.primary,
    ...(missingEmailReason ? { missingEmailReason } : {}),
    verifiedEmails: emails.verified,
    unverifiedEmails: emails.unverified,
    firstName: cleanValue(user.first_name),
    lastName: cleanValue(user.last_name),
    username: cleanValue(user.username),
    primaryPhone: phones.primary,
    verifiedPhones: phones.verified,
    unverifiedPhones: phones.unverified,
    passwordDigest: cleanValue(user.password_digest),
    passwordHasher: cleanValue(user.password_hasher),
    totpSecret: cleanValue(user.totp_secret),
    backupCodesEnabled: user.backup_code_enabled === true,
    publicMetadata: metadata(user.public_metadata),
    unsafeMetadata: metadata(user.unsafe_metadata),
    privateMetadata: metadata(user.private_metadata),
    // From the object as exported: its key order and values, not zod's copy.
    otherFields: otherFieldsOf(raw),
    presentFields: Object.keys(raw).filter((key) => !isEmpty(raw[key])),
  };
}

function entryOf(recordNumber: number, value: unknown): ClerkExportEntry {
  const rawId = (value as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'string' ? rawId : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return rejection(recordNumber, undefined, 'invalid_record', 'is not a JSON object');
  }
  const parsed = clerkUserJson.safeParse(value);
  if (!parsed.success) {
    // Name the field, never its value.
    const path = parsed.error.issues[0]?.path.join('.') ?? '';
    return rejection(
      recordNumber,
      id,
      'invalid_record',
      `"${path}" does not have the shape of Clerk's user object`,
    );
  }
  return buildRecord(candidate(recordNumber, parsed.data, value as Record<string, unknown>));
}

function unreadable(recordNumber: number): OrgkitError {
  // The parser's message quotes input characters; ours names only the position.
  return new OrgkitError(
    'invalid_input',
    `Clerk JSON export: not valid JSON in or after record ${recordNumber}, so the rest of the file cannot be read`,
    { reason: 'unreadable_input', details: { recordNumber } },
  );
}

/**
 * Clerk's Backend API / CLI export: a JSON array of user objects, parsed as it streams in so
 * a large export never sits in memory whole. @internal
 */
export async function* readClerkJson(
  bytes: AsyncIterable<Uint8Array>,
): AsyncGenerator<ClerkExportEntry> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  const parsed: { index: number; value: unknown }[] = [];
  parser.onValue = ({ value, key }) => {
    parsed.push({ index: Number(key), value });
  };
  let records = 0;
  for await (const chunk of bytes) {
    let failed = false;
    try {
      parser.write(chunk);
    } catch {
      failed = true;
    }
    // Records completed before a syntax error in the same chunk are still reported.
    for (const { index, value } of parsed.splice(0)) {
      records = index + 1;
      yield entryOf(index + 1, value);
    }
    if (failed) throw unreadable(records + 1);
  }
  try {
    // The parser ends by itself once the array closes; an unfinished array fails here.
    if (!parser.isEnded) parser.end();
  } catch {
    throw unreadable(records + 1);
  }
}
