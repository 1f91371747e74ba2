import type { JsonObject } from '../../audit/json-value.js';
import type { SecretValue } from './secret-value.js';

/** Why a record of an input file was left out. Stable: callers switch on these. */
export const CLERK_REJECTION_CODES = [
  'malformed_row',
  'invalid_record',
  'missing_id',
  'invalid_id',
  'missing_email',
  'invalid_email',
  'invalid_name',
  'duplicate_id',
  'duplicate_email',
  'invalid_org_external_id',
  'missing_org_name',
  'conflicting_org_name',
  'invalid_role_slug',
  'duplicate_row',
] as const;

export type ClerkRejectionCode = (typeof CLERK_REJECTION_CODES)[number];

/**
 * A record that cannot be migrated. It names the record and the problem, never a value from
 * it: no email, name, digest or TOTP secret (`clerkUserId` only when the id itself is well formed).
 */
export interface ClerkRecordRejection {
  /** 1-based position of the record in its file (the CSV header and blank lines not counted). */
  readonly recordNumber: number;
  readonly clerkUserId?: string;
  readonly code: ClerkRejectionCode;
  readonly reason: string;
}

/** Something in an accepted record that was left out; the record itself is migrated. */
export interface ClerkRecordWarning {
  /** `backup_codes_not_importable`: the user has Clerk backup codes, which WorkOS cannot import. */
  readonly code:
    | 'invalid_secondary_email'
    | 'invalid_totp_secret'
    | 'backup_codes_not_importable'
    | 'password_hasher_without_digest';
  /** The export field it came from, e.g. `verified_email_addresses`. */
  readonly field: string;
}

/** A password digest as Clerk exported it; see `classifyPasswordDigest` for what WorkOS takes. */
export interface ClerkPasswordDigest {
  /** Clerk's `password_hasher`, lower-cased; undefined when the export names none. */
  readonly hasher: string | undefined;
  readonly digest: SecretValue;
}

/** One Clerk user, normalised the same way from the CSV and the JSON export. */
export interface ClerkUserRecord {
  readonly recordNumber: number;
  readonly source: 'csv' | 'json';
  readonly clerkUserId: string;
  /** Trimmed and lower-cased, as orgkit keys guests (`guestEmailSchema`). */
  readonly primaryEmail: string;
  /** True only where Clerk marked the primary address verified. */
  readonly primaryEmailVerified: boolean;
  /** The user's other verified addresses (primary excluded), normalised and without repeats. */
  readonly verifiedEmails: readonly string[];
  /** The user's other unverified addresses (primary excluded). */
  readonly unverifiedEmails: readonly string[];
  readonly firstName?: string;
  readonly lastName?: string;
  readonly username?: string;
  readonly primaryPhone?: string;
  readonly verifiedPhones: readonly string[];
  readonly unverifiedPhones: readonly string[];
  readonly password?: ClerkPasswordDigest;
  readonly totpSecret?: SecretValue;
  /** Present for the JSON export only; the dashboard CSV carries no metadata. */
  readonly publicMetadata?: JsonObject;
  readonly unsafeMetadata?: JsonObject;
  readonly privateMetadata?: JsonObject;
  /**
   * JSON export only: the user object's other non-null fields (`created_at`, `image_url`,
   * `primary_email_address_id`, …) exactly as parsed, kept in the profile table's `other` column.
   */
  readonly otherFields?: JsonObject;
  /**
   * The export's fields that held a value for this user: CSV column names, or the JSON user
   * object's keys. Every one is accounted for by the migration (`accountClerkFields`).
   */
  readonly presentFields: readonly string[];
  readonly warnings: readonly ClerkRecordWarning[];
}

/** What the export readers yield per record: the user, or why it was left out. */
export type ClerkExportEntry =
  | { readonly ok: true; readonly record: ClerkUserRecord }
  | { readonly ok: false; readonly rejection: ClerkRecordRejection };
