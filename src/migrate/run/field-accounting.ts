import { classifyPasswordDigest } from '../input/password-digest.js';
import type { ClerkUserRecord } from '../input/types.js';

/** Where a field of the export went. */
export type ClerkFieldPlace = 'workos' | 'workos_metadata' | 'database';

/**
 * What became of one non-empty field of a migrated record: the places it is kept, and when some
 * or all of it could not be imported, the code and reason (never the value).
 */
export interface ClerkFieldAccount {
  readonly field: string;
  readonly places: readonly ClerkFieldPlace[];
  readonly notImported?: { readonly code: string; readonly reason: string };
}

/** The fields the config may copy into WorkOS user metadata (keys are these names). */
export const WORKOS_METADATA_FIELDS = [
  'clerk_user_id',
  'username',
  'primary_phone_number',
  'verified_phone_numbers',
  'unverified_phone_numbers',
  'verified_email_addresses',
  'unverified_email_addresses',
] as const;
export type WorkOSMetadataField = (typeof WORKOS_METADATA_FIELDS)[number];

/** WorkOS's limits on user metadata ("Metadata and External IDs"). */
export const WORKOS_METADATA_LIMITS = { keys: 10, keyLength: 40, valueLength: 600 } as const;
const ASCII = /^[\x20-\x7E]*$/;

function metadataValue(record: ClerkUserRecord, field: WorkOSMetadataField): string | undefined {
  const list = (values: readonly string[]) => (values.length ? values.join(',') : undefined);
  switch (field) {
    case 'clerk_user_id':
      return record.clerkUserId;
    case 'username':
      return record.username;
    case 'primary_phone_number':
      return record.primaryPhone;
    case 'verified_phone_numbers':
      return list(record.verifiedPhones);
    case 'unverified_phone_numbers':
      return list(record.unverifiedPhones);
    case 'verified_email_addresses':
      return list(record.verifiedEmails);
    case 'unverified_email_addresses':
      return list(record.unverifiedEmails);
  }
}

/**
 * The WorkOS user metadata the config asks for, within WorkOS's limits: a value that is not
 * ASCII or longer than 600 characters stays out (it is in the database) and is named in
 * `refused`. @internal
 */
export function workosMetadataOf(
  record: ClerkUserRecord,
  fields: readonly WorkOSMetadataField[],
): { metadata: Record<string, string>; refused: Map<WorkOSMetadataField, string> } {
  const metadata: Record<string, string> = {};
  const refused = new Map<WorkOSMetadataField, string>();
  for (const field of fields) {
    const value = metadataValue(record, field);
    if (value === undefined) continue;
    if (!ASCII.test(value)) refused.set(field, 'not ASCII');
    else if (value.length > WORKOS_METADATA_LIMITS.valueLength)
      refused.set(field, 'over 600 characters');
    else metadata[field] = value;
  }
  return { metadata, refused };
}

/** How a record was migrated, as far as its fields are concerned. @internal */
export interface FieldAccountingContext {
  /** The WorkOS user existed already: the run never modifies it (names, password, metadata). */
  readonly matched: boolean;
  readonly skipMfa: boolean;
  readonly metadataFields: readonly WorkOSMetadataField[];
}

/** The export fields (CSV and JSON names) each WorkOS metadata field is read from. */
const METADATA_SOURCE: Record<string, WorkOSMetadataField[]> = {
  id: ['clerk_user_id'],
  username: ['username'],
  primary_phone_number: ['primary_phone_number'],
  verified_phone_numbers: ['verified_phone_numbers'],
  unverified_phone_numbers: ['unverified_phone_numbers'],
  phone_numbers: ['primary_phone_number', 'verified_phone_numbers', 'unverified_phone_numbers'],
  verified_email_addresses: ['verified_email_addresses'],
  unverified_email_addresses: ['unverified_email_addresses'],
  email_addresses: ['verified_email_addresses', 'unverified_email_addresses'],
};

const NOT_IMPORTABLE: Record<string, { code: string; reason: string }> = {
  backup_codes: {
    code: 'backup_codes_not_importable',
    reason: 'WorkOS cannot import backup codes: the user must set up recovery again',
  },
  skip_mfa: { code: 'mfa_skipped', reason: 'the run was told to leave TOTP secrets out' },
  invalid_totp: {
    code: 'invalid_totp_secret',
    reason: 'not a base32 TOTP secret of 80 bits or more',
  },
  matched_password: {
    code: 'workos_user_exists',
    reason: 'the WorkOS user existed before the run, which never changes it',
  },
  no_digest: {
    code: 'password_hasher_without_digest',
    reason: 'a hasher was exported without a password digest',
  },
  invalid_email: {
    code: 'invalid_secondary_email',
    reason: 'an address in the field is not a valid email address',
  },
};

/**
 * Where every non-empty field of a migrated record went: WorkOS (user, factor), WorkOS user
 * metadata, the database (`users`, `orgkit_clerk_profiles`, `expert_setup`,
 * `user_preferences`), or not imported with a code and reason. A field orgkit had no rule for
 * would be reported as not imported (`no_destination`), never dropped without a word.
 */
export function accountClerkFields(
  record: ClerkUserRecord,
  context: FieldAccountingContext,
): ClerkFieldAccount[] {
  const { matched } = context;
  const created = !matched;
  const metadata = created ? workosMetadataOf(record, context.metadataFields) : undefined;
  const warned = (field: string, code: string) =>
    record.warnings.some((w) => w.field === field && w.code === code);
  const password = record.password && classifyPasswordDigest(record.password);

  return record.presentFields.map((field): ClerkFieldAccount => {
    const places = new Set<ClerkFieldPlace>();
    let notImported: ClerkFieldAccount['notImported'];
    const inMetadata = (METADATA_SOURCE[field] ?? []).some(
      (m) => metadata && m in metadata.metadata,
    );
    const refused = (METADATA_SOURCE[field] ?? []).find((m) => metadata?.refused.has(m));
    if (inMetadata) places.add('workos_metadata');
    switch (field) {
      case 'id':
        if (created) places.add('workos');
        places.add('database');
        break;
      case 'first_name':
      case 'last_name':
      case 'primary_email_address':
        if (created) places.add('workos');
        places.add('database');
        break;
      case 'verified_email_addresses':
      case 'unverified_email_addresses':
      case 'email_addresses': {
        // The primary address's verification goes to WorkOS; other addresses to the profile.
        if (created) places.add('workos');
        places.add('database');
        const csvField = field === 'email_addresses' ? 'verified_email_addresses' : field;
        const otherCsv = field === 'email_addresses' ? 'unverified_email_addresses' : csvField;
        if (
          warned(csvField, 'invalid_secondary_email') ||
          warned(otherCsv, 'invalid_secondary_email')
        ) {
          notImported = NOT_IMPORTABLE.invalid_email;
        }
        break;
      }
      case 'username':
      case 'primary_phone_number':
      case 'verified_phone_numbers':
      case 'unverified_phone_numbers':
      case 'phone_numbers':
      case 'public_metadata':
      case 'unsafe_metadata':
      case 'private_metadata':
        places.add('database');
        break;
      case 'password_digest':
      case 'password_hasher':
        if (field === 'password_hasher' && !record.password) notImported = NOT_IMPORTABLE.no_digest;
        else if (matched) notImported = NOT_IMPORTABLE.matched_password;
        else if (password?.importable) places.add('workos');
        else if (password) notImported = { code: password.code, reason: password.reason };
        break;
      case 'totp_secret':
        if (!record.totpSecret) notImported = NOT_IMPORTABLE.invalid_totp;
        else if (context.skipMfa) notImported = NOT_IMPORTABLE.skip_mfa;
        else places.add('workos');
        break;
      case 'backup_code_enabled':
        // The flag is kept with the other fields; the codes themselves cannot move.
        places.add('database');
        if (warned('backup_code_enabled', 'backup_codes_not_importable')) {
          notImported = NOT_IMPORTABLE.backup_codes;
        }
        break;
      default:
        // The JSON export's other fields (timestamps, image URL, identification ids, …).
        if (record.otherFields && Object.hasOwn(record.otherFields, field)) places.add('database');
        else notImported = { code: 'no_destination', reason: 'orgkit has no place for this field' };
    }
    if (refused && !notImported) {
      notImported = {
        code: 'workos_metadata_limit',
        reason: `left out of WorkOS metadata (${metadata!.refused.get(refused)}); kept in the database`,
      };
    }
    return { field, places: [...places], ...(notImported ? { notImported } : {}) };
  });
}

/** Per field: how many records kept it where, and how many could not import it, by code. */
export type ClerkFieldCounts = Record<
  string,
  {
    workos: number;
    workos_metadata: number;
    database: number;
    notImported: Record<string, number>;
  }
>;

/** Adds one record's accounts to the counts. @internal */
export function countFields(counts: ClerkFieldCounts, accounts: readonly ClerkFieldAccount[]) {
  for (const a of accounts) {
    counts[a.field] ??= { workos: 0, workos_metadata: 0, database: 0, notImported: {} };
    const c = counts[a.field]!;
    for (const place of a.places) c[place]++;
    if (a.notImported) {
      c.notImported[a.notImported.code] = (c.notImported[a.notImported.code] ?? 0) + 1;
    }
  }
}
