import * as z from 'zod';
import { parseInput } from '../../errors/index.js';
import { SecretValue } from './secret-value.js';

/** Why a Clerk password digest cannot go to WorkOS. */
export type PasswordNotImportableCode =
  | 'missing_digest'
  | 'missing_hasher'
  | 'malformed_digest'
  | 'unverified_conversion'
  | 'unsupported_hasher';

/**
 * What `classifyPasswordDigest` decided: the `passwordHash` / `passwordHashType` pair for
 * `createUser`, or why the user must be created without a password (the reason names the
 * hasher, never the digest).
 */
export type PasswordImport =
  | {
      readonly importable: true;
      readonly passwordHash: string;
      readonly passwordHashType: 'bcrypt';
    }
  | {
      readonly importable: false;
      readonly code: PasswordNotImportableCode;
      readonly reason: string;
    };

/** The input of {@link classifyPasswordDigest}: Clerk's `password_hasher` and `password_digest`. */
export interface ClassifyPasswordDigestInput {
  readonly hasher?: string | undefined;
  readonly digest: string | SecretValue;
}

const inputSchema = z.strictObject({
  hasher: z.string().optional(),
  digest: z.union([z.string(), z.instanceof(SecretValue)]),
});

// Modular crypt bcrypt: $2a$, $2b$ or $2y$, a two-digit cost 04–31, 22 characters of salt and
// 31 of hash from bcrypt's alphabet. This is the form Clerk exports for `bcrypt` and the form
// WorkOS's API reference shows for `password_hash_type: bcrypt`, passed on unchanged.
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

// WorkOS's API lists argon2, pbkdf2, scrypt, ssha and firebase-scrypt as hash types, but neither
// its API reference nor its Node SDK says which digest layout it reads for them, and WorkOS's own
// Clerk importer (workos/workos-migrations) sends bcrypt only. Sending a digest in a layout we
// cannot verify would leave the user with a password that silently never matches.
const UNVERIFIED: Readonly<Record<string, string>> = {
  argon2i: 'argon2',
  argon2id: 'argon2',
  scrypt_firebase: 'firebase-scrypt',
  scrypt_werkzeug: 'scrypt',
  pbkdf2_sha1: 'pbkdf2',
  pbkdf2_sha256: 'pbkdf2',
  pbkdf2_sha256_django: 'pbkdf2',
  pbkdf2_sha512: 'pbkdf2',
  pbkdf2_sha512_hex: 'pbkdf2',
  ldap_ssha: 'ssha',
};

// The hashers Clerk's Backend API names. Only these are echoed in a reason: the column comes from
// the file, and a digest pasted into it must not reach a report.
const CLERK_HASHERS = new Set([
  'awscognito',
  'bcrypt_peppered',
  'bcrypt_sha256_django',
  'hmac_sha256_utf16_b64',
  'md5',
  'md5_phpass',
  'md5_salted',
  'phpass',
  'sha256',
  'sha256_salted',
  'sha512_symfony',
]);

const notImportable = (code: PasswordNotImportableCode, reason: string): PasswordImport => ({
  importable: false,
  code,
  reason,
});

/**
 * Maps Clerk's `password_hasher` and `password_digest` onto what WorkOS's `createUser` takes.
 * Only `bcrypt` digests in modular crypt form (`$2a$`, `$2b$`, `$2y$`) are importable, unchanged.
 * Argon2, Firebase scrypt, PBKDF2 and LDAP SSHA have a WorkOS hash type but no documented
 * digest layout to convert to, so they are `unverified_conversion`; every other hasher (md5,
 * sha256, phpass, bcrypt variants with a pepper or a pre-hash, …) is `unsupported_hasher`.
 * Such users are created without a password, never sent under a wrong type. Pure; bad input
 * throws `invalid_input`.
 *
 * @example
 * ```ts
 * import { classifyPasswordDigest } from 'orgkit/migrate';
 *
 * const password = record.password && classifyPasswordDigest(record.password);
 * const created = await workos.userManagement.createUser({
 *   email: record.primaryEmail,
 *   ...(password?.importable
 *     ? { passwordHash: password.passwordHash, passwordHashType: password.passwordHashType }
 *     : {}),
 * });
 * if (password && !password.importable) report(record.recordNumber, password.reason);
 * ```
 */
export function classifyPasswordDigest(input: ClassifyPasswordDigestInput): PasswordImport {
  const { hasher, digest } = parseInput(inputSchema, input, 'classifyPasswordDigest');
  const value = (typeof digest === 'string' ? digest : digest.reveal()).trim();
  const name = hasher?.trim().toLowerCase();
  if (value === '') return notImportable('missing_digest', 'the export has no password digest');
  if (!name) {
    return notImportable('missing_hasher', 'the export names no password_hasher for the digest');
  }
  if (name === 'bcrypt') {
    return BCRYPT.test(value)
      ? { importable: true, passwordHash: value, passwordHashType: 'bcrypt' }
      : notImportable(
          'malformed_digest',
          'the bcrypt digest is not in $2a$/$2b$/$2y$ modular crypt form',
        );
  }
  const workosType = UNVERIFIED[name];
  if (workosType !== undefined) {
    return notImportable(
      'unverified_conversion',
      `WorkOS's "${workosType}" hash type has no documented digest layout that Clerk's "${name}" digest can be verified to convert to`,
    );
  }
  return notImportable(
    'unsupported_hasher',
    CLERK_HASHERS.has(name)
      ? `WorkOS has no password hash type for Clerk's "${name}" digests`
      : 'the password_hasher is not one Clerk names, and WorkOS has no hash type for it',
  );
}
