import { OrgkitError } from '../errors/index.js';
import type { TokenRejectionReason } from './types.js';

const MESSAGES: Readonly<Record<TokenRejectionReason, string>> = {
  malformed: 'the access token is not a well-formed JWT',
  alg_not_allowed: 'the access token is not signed with an allowed algorithm (RS256)',
  unknown_kid: 'the access token was signed by a key the JWKS does not hold',
  expired: 'the access token has expired',
  not_yet_valid: 'the access token is not valid yet (nbf)',
  issuer_mismatch: 'the access token was issued by an issuer that is not accepted',
  audience_mismatch: 'the access token is not meant for this audience',
  signature_invalid: 'the access token signature is invalid',
  claims_invalid: 'the access token claims are missing or of the wrong type',
  jwks_unavailable: 'the JWKS to verify the access token could not be fetched',
};

/**
 * The `unauthenticated` error for a rejected token. The message never holds the token or its
 * claims, only the reason, so it is safe to log and to send to the client.
 * @internal
 */
export function rejectToken(
  reason: TokenRejectionReason,
  options: { cause?: unknown; claim?: string; retryAfterSeconds?: number } = {},
): OrgkitError {
  const { claim, retryAfterSeconds } = options;
  const details = {
    ...(claim ? { claim } : {}),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
  return new OrgkitError('unauthenticated', `access token rejected: ${MESSAGES[reason]}`, {
    reason,
    cause: options.cause,
    details: Object.keys(details).length > 0 ? details : undefined,
  });
}

/**
 * Marks a failure to load the key set, so it is told apart from a bad token. `retryAfterMs` is set
 * when no request was sent because one failed within the cool-down.
 * @internal
 */
export class JwksUnavailableError extends Error {
  readonly retryAfterMs: number | undefined;

  constructor(cause: unknown, retryAfterMs?: number) {
    super('JWKS unavailable', { cause });
    this.name = 'JwksUnavailableError';
    this.retryAfterMs = retryAfterMs;
  }

  /** True when the verification failed at once, without asking the endpoint. */
  get failedFast(): boolean {
    return this.retryAfterMs !== undefined;
  }
}

const REASON_BY_JOSE_CODE: Readonly<Record<string, TokenRejectionReason>> = {
  ERR_JOSE_ALG_NOT_ALLOWED: 'alg_not_allowed',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown_kid',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown_kid',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'signature_invalid',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWS_INVALID: 'malformed',
  ERR_JWT_INVALID: 'malformed',
  ERR_JOSE_NOT_SUPPORTED: 'malformed',
};

function reasonForClaim(
  claim: string | undefined,
  reason: string | undefined,
): TokenRejectionReason {
  if (claim === 'iss') return 'issuer_mismatch';
  if (claim === 'aud') return 'audience_mismatch';
  // jose also fails `nbf` when it is not a number; only a future nbf means "not yet valid".
  if (claim === 'nbf' && reason === 'check_failed') return 'not_yet_valid';
  return 'claims_invalid';
}

/**
 * Maps what jose (or the key set) threw to a coded rejection. Matches jose's `code` strings, not
 * classes, so a second copy of jose in the tree still maps.
 * @internal
 */
export function rejectionFromError(error: unknown): OrgkitError {
  if (error instanceof JwksUnavailableError) {
    const { retryAfterMs } = error;
    return rejectToken('jwks_unavailable', {
      cause: error.cause,
      // Set when the endpoint was not asked because it failed moments ago: when to try again.
      ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) }),
    });
  }
  const { code, claim, reason } = (error ?? {}) as {
    code?: string;
    claim?: string;
    reason?: string;
  };
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    // jose puts the whole payload on these errors; keep only the claim name so no claim value
    // (an impersonator's email, say) travels with the error into logs.
    return rejectToken(reasonForClaim(claim, reason), { claim });
  }
  if (code === 'ERR_JWT_EXPIRED') return rejectToken('expired', { claim });
  const mapped = code ? REASON_BY_JOSE_CODE[code] : undefined;
  if (mapped) return rejectToken(mapped, { cause: error });
  return new OrgkitError('internal', 'access token verification failed unexpectedly', {
    cause: error,
  });
}
