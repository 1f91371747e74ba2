import { cleanList, cleanValue, idOfMalformedRow } from './clerk-values.js';
import { readCsvRows } from './csv-rows.js';
import { buildRecord, type RecordCandidate, rejection } from './record-builder.js';
import type { ClerkExportEntry } from './types.js';

/** The columns of Clerk's dashboard CSV export; every one must be in the header. */
export const CLERK_CSV_COLUMNS = [
  'id',
  'first_name',
  'last_name',
  'username',
  'primary_email_address',
  'primary_phone_number',
  'verified_email_addresses',
  'unverified_email_addresses',
  'verified_phone_numbers',
  'unverified_phone_numbers',
  'totp_secret',
  'password_digest',
  'password_hasher',
] as const;

/** The columns holding several values; every other column holds one, commas and all. */
const LIST_COLUMNS: ReadonlySet<string> = new Set([
  'verified_email_addresses',
  'unverified_email_addresses',
  'verified_phone_numbers',
  'unverified_phone_numbers',
]);

const holdsValue = (column: string, raw: string) =>
  LIST_COLUMNS.has(column) ? cleanList(raw).length > 0 : cleanValue(raw) !== undefined;

function candidate(recordNumber: number, get: (column: string) => string): RecordCandidate {
  return {
    recordNumber,
    source: 'csv',
    clerkUserId: cleanValue(get('id')),
    primaryEmail: cleanValue(get('primary_email_address')),
    // An unverified primary address is listed under unverified_email_addresses.
    verifiedEmails: cleanList(get('verified_email_addresses')),
    unverifiedEmails: cleanList(get('unverified_email_addresses')),
    firstName: cleanValue(get('first_name')),
    lastName: cleanValue(get('last_name')),
    username: cleanValue(get('username')),
    primaryPhone: cleanValue(get('primary_phone_number')),
    verifiedPhones: cleanList(get('verified_phone_numbers')),
    unverifiedPhones: cleanList(get('unverified_phone_numbers')),
    passwordDigest: cleanValue(get('password_digest')),
    passwordHasher: cleanValue(get('password_hasher')),
    totpSecret: cleanValue(get('totp_secret')),
    presentFields: CLERK_CSV_COLUMNS.filter((column) => holdsValue(column, get(column))),
  };
}

/** Clerk's dashboard CSV export, one entry per data row. @internal */
export async function* readClerkCsv(
  bytes: AsyncIterable<Uint8Array>,
): AsyncGenerator<ClerkExportEntry> {
  for await (const row of readCsvRows(bytes, 'Clerk CSV export', CLERK_CSV_COLUMNS)) {
    yield row.ok
      ? buildRecord(candidate(row.recordNumber, row.get))
      : rejection(row.recordNumber, idOfMalformedRow(row.firstField), 'malformed_row', row.reason);
  }
}
