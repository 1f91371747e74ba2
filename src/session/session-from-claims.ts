import type { JWTPayload } from 'jose';
import { rejectToken } from './rejection.js';
import type { Impersonator, Session } from './types.js';

type Claims = JWTPayload;

const EMPTY: readonly string[] = Object.freeze([]);

function invalid(claim: string): never {
  throw rejectToken('claims_invalid', { claim });
}

function requiredString(claims: Claims, claim: string): string {
  const value = claims[claim];
  if (typeof value !== 'string' || value.length === 0) invalid(claim);
  return value;
}

function optionalString(claims: Claims, claim: string): string | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(claim);
  return value;
}

function stringList(claims: Claims, claim: string): readonly string[] | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) invalid(claim);
  for (const item of value) if (typeof item !== 'string') invalid(claim);
  return Object.freeze([...(value as string[])]);
}

// WorkOS puts the impersonating dashboard user in `act` (RFC 8693's actor claim). Its email is
// `email`, or `sub` in the RFC's own shape; `reason` is optional.
function impersonatorOf(claims: Claims): Impersonator | undefined {
  const act = claims.act;
  if (act === undefined) return undefined;
  if (typeof act !== 'object' || act === null || Array.isArray(act)) invalid('act');
  const { email, sub, reason } = act as Record<string, unknown>;
  const who = email ?? sub;
  if (typeof who !== 'string' || who.length === 0) invalid('act');
  if (reason !== undefined && reason !== null && typeof reason !== 'string') invalid('act');
  return Object.freeze({ email: who, reason: reason ?? null });
}

/**
 * Turns verified claims into a frozen {@link Session}, or throws `claims_invalid` naming the
 * claim. Hand-written checks rather than a schema parse: this runs on every request.
 * @internal
 */
export function sessionFromClaims(claims: Claims): Session {
  const userId = requiredString(claims, 'sub');
  const sessionId = requiredString(claims, 'sid');
  const expiresAt = claims.exp;
  if (typeof expiresAt !== 'number') invalid('exp');
  const role = optionalString(claims, 'role');
  const roles = stringList(claims, 'roles') ?? (role === undefined ? EMPTY : Object.freeze([role]));
  return Object.freeze({
    userId,
    sessionId,
    organizationId: optionalString(claims, 'org_id'),
    role,
    roles,
    permissions: stringList(claims, 'permissions') ?? EMPTY,
    entitlements: stringList(claims, 'entitlements') ?? EMPTY,
    featureFlags: stringList(claims, 'feature_flags') ?? EMPTY,
    impersonator: impersonatorOf(claims),
    expiresAt,
    claims: Object.freeze(claims),
  });
}
