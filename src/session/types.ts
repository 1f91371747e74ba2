import type { JWTPayload } from 'jose';

/** Who is impersonating the user, from the token's `act` claim. */
export interface Impersonator {
  email: string;
  reason: string | null;
}

/** A verified WorkOS access token, in orgkit's shape. */
export interface Session {
  /** WorkOS user id (`sub`). */
  userId: string;
  /** WorkOS session id (`sid`). */
  sessionId: string;
  /** The organization the token is scoped to (`org_id`), if any. */
  organizationId: string | undefined;
  /** The membership's role in that organization (`role`). */
  role: string | undefined;
  /** All of the membership's roles (`roles`, or `[role]` when only `role` is set). */
  roles: readonly string[];
  permissions: readonly string[];
  entitlements: readonly string[];
  /** Feature flags enabled for the organization (`feature_flags`). */
  featureFlags: readonly string[];
  impersonator: Impersonator | undefined;
  /** Seconds since epoch at which the token expires. */
  expiresAt: number;
  /** Every claim, as verified. */
  claims: Readonly<JWTPayload & Record<string, unknown>>;
}

/**
 * Why a token was rejected: the `reason` of the `unauthenticated` error. Stable: switch on it,
 * never on the message.
 */
export type TokenRejectionReason =
  | 'malformed'
  | 'alg_not_allowed'
  | 'unknown_kid'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'signature_invalid'
  | 'claims_invalid'
  | 'jwks_unavailable';
