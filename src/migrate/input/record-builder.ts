import type { JsonObject } from '../../audit/json-value.js';
import { clerkUserIdSchema, emailSchema, nameSchema, totpSecretSchema } from './field-schemas.js';
import { SecretValue } from './secret-value.js';
import type {
  ClerkExportEntry,
  ClerkRecordRejection,
  ClerkRecordWarning,
  ClerkRejectionCode,
  ClerkUserRecord,
} from './types.js';

/** One user as read from either export, values cleaned but not yet checked. @internal */
export interface RecordCandidate {
  readonly recordNumber: number;
  readonly source: 'csv' | 'json';
  readonly clerkUserId: string | undefined;
  readonly primaryEmail: string | undefined;
  /** Why there is no primary email, when the export says more than "none". */
  readonly missingEmailReason?: string;
  /** Every address the export marks verified, the primary among them when it is. */
  readonly verifiedEmails: readonly string[];
  readonly unverifiedEmails: readonly string[];
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly username: string | undefined;
  readonly primaryPhone: string | undefined;
  readonly verifiedPhones: readonly string[];
  readonly unverifiedPhones: readonly string[];
  readonly passwordDigest: string | undefined;
  readonly passwordHasher: string | undefined;
  readonly totpSecret: string | undefined;
  /** The user has Clerk backup codes (JSON `backup_code_enabled`); WorkOS has no import for them. */
  readonly backupCodesEnabled?: boolean;
  readonly publicMetadata?: JsonObject;
  readonly unsafeMetadata?: JsonObject;
  readonly privateMetadata?: JsonObject;
  /** JSON export only: the user object's fields orgkit has no column for, as parsed. */
  readonly otherFields?: JsonObject;
  /** The export's fields that held a value for this user (column or key names), in file order. */
  readonly presentFields: readonly string[];
}

/** A rejection naming the record and, when it is well formed, its Clerk id. @internal */
export function rejection(
  recordNumber: number,
  rawId: string | undefined,
  code: ClerkRejectionCode,
  reason: string,
): ClerkExportEntry {
  const id = clerkUserIdSchema.safeParse(rawId);
  const rejected: ClerkRecordRejection = id.success
    ? { recordNumber, clerkUserId: id.data, code, reason }
    : { recordNumber, code, reason };
  return { ok: false, rejection: Object.freeze(rejected) };
}

function normaliseEmails(
  values: readonly string[],
  field: string,
  warnings: ClerkRecordWarning[],
): string[] {
  const emails: string[] = [];
  for (const value of values) {
    const email = emailSchema.safeParse(value);
    if (email.success) emails.push(email.data);
    else warnings.push({ code: 'invalid_secondary_email', field });
  }
  return emails;
}

const without = (values: readonly string[], excluded: ReadonlySet<string>) => [
  ...new Set(values.filter((v) => !excluded.has(v))),
];

/** The first problem that keeps the candidate from being migrated, if any. */
function problemOf(c: RecordCandidate): [ClerkRejectionCode, string] | undefined {
  if (c.clerkUserId === undefined) return ['missing_id', 'no Clerk user id'];
  if (!clerkUserIdSchema.safeParse(c.clerkUserId).success) {
    return ['invalid_id', "the Clerk user id is not 1 to 128 letters, digits, '_' or '-'"];
  }
  if (c.primaryEmail === undefined) {
    return ['missing_email', c.missingEmailReason ?? 'no primary email address'];
  }
  if (!emailSchema.safeParse(c.primaryEmail).success) {
    return ['invalid_email', 'the primary email address is not a valid email address'];
  }
  const names = { first_name: c.firstName, last_name: c.lastName, username: c.username };
  for (const [field, value] of Object.entries(names)) {
    if (value !== undefined && !nameSchema.safeParse(value).success) {
      return ['invalid_name', `${field} contains a NUL character`];
    }
  }
  return undefined;
}

/** Checks a candidate and builds the record, or the rejection saying what is wrong. @internal */
export function buildRecord(c: RecordCandidate): ClerkExportEntry {
  const problem = problemOf(c);
  if (problem) return rejection(c.recordNumber, c.clerkUserId, ...problem);

  const warnings: ClerkRecordWarning[] = [];
  const primaryEmail = emailSchema.parse(c.primaryEmail);
  const verified = normaliseEmails(c.verifiedEmails, 'verified_email_addresses', warnings);
  const unverified = normaliseEmails(c.unverifiedEmails, 'unverified_email_addresses', warnings);
  // An address listed both ways counts as unverified: a verified WorkOS identity must be earned.
  const primaryEmailVerified =
    verified.includes(primaryEmail) && !unverified.includes(primaryEmail);
  const primaryPhone = c.primaryPhone === undefined ? [] : [c.primaryPhone];

  let totpSecret: SecretValue | undefined;
  if (c.totpSecret !== undefined && totpSecretSchema.safeParse(c.totpSecret).success) {
    totpSecret = new SecretValue(c.totpSecret);
  } else if (c.totpSecret !== undefined) {
    warnings.push({ code: 'invalid_totp_secret', field: 'totp_secret' });
  }
  if (c.passwordHasher !== undefined && c.passwordDigest === undefined) {
    warnings.push({ code: 'password_hasher_without_digest', field: 'password_hasher' });
  }
  if (c.backupCodesEnabled) {
    warnings.push({ code: 'backup_codes_not_importable', field: 'backup_code_enabled' });
  }
  const password =
    c.passwordDigest === undefined
      ? undefined
      : Object.freeze({
          hasher: c.passwordHasher?.toLowerCase(),
          digest: new SecretValue(c.passwordDigest),
        });

  const record: ClerkUserRecord = {
    recordNumber: c.recordNumber,
    source: c.source,
    clerkUserId: c.clerkUserId!,
    primaryEmail,
    primaryEmailVerified,
    verifiedEmails: without(verified, new Set([primaryEmail, ...unverified])),
    unverifiedEmails: without(unverified, new Set([primaryEmail])),
    firstName: c.firstName,
    lastName: c.lastName,
    username: c.username,
    primaryPhone: c.primaryPhone,
    verifiedPhones: without(c.verifiedPhones, new Set([...primaryPhone, ...c.unverifiedPhones])),
    unverifiedPhones: without(c.unverifiedPhones, new Set(primaryPhone)),
    password,
    totpSecret,
    publicMetadata: c.publicMetadata,
    unsafeMetadata: c.unsafeMetadata,
    privateMetadata: c.privateMetadata,
    ...(c.otherFields ? { otherFields: c.otherFields } : {}),
    presentFields: c.presentFields,
    warnings,
  };
  return { ok: true, record: Object.freeze(record) };
}
