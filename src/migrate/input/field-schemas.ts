import * as z from 'zod';
import { guestEmailSchema } from '../../guests/guest-input.js';

/**
 * A Clerk user id as orgkit sends it to WorkOS as `externalId` (at most 128 ASCII characters);
 * Clerk's own ids are `user_` and letters and digits. @internal
 */
export const clerkUserIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

/** An email as orgkit keys users and guests: trimmed, lower-cased, checked. @internal */
export const emailSchema = guestEmailSchema;

/** A name or username: any text but U+0000, which Postgres cannot store. @internal */
export const nameSchema = z.string().refine((v) => !v.includes('\u0000'));

/** A base32 TOTP secret (RFC 4648 alphabet, optional padding), at least 80 bits. @internal */
export const totpSecretSchema = z.string().regex(/^[A-Za-z2-7]{16,}=*$/);

/** A WorkOS external id: 1 to 128 printable ASCII characters. @internal */
export const externalIdSchema = z.string().regex(/^[\x20-\x7E]{1,128}$/);

/** A role slug: no whitespace. @internal */
export const roleSlugSchema = z.string().regex(/^\S+$/);

const isPlainObject = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value));

/**
 * A metadata object of the JSON export, passed through as parsed: `z.record` would rebuild it
 * and silently drop a `__proto__` key. @internal
 */
export const metadataSchema = z.custom<Record<string, unknown>>(isPlainObject).nullish();
