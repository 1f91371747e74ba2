import { type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import { parseInput } from '../errors/index.js';
import { TELEMETRY_OFF } from '../telemetry/index.js';
import { type SessionVerifierOptions, sessionVerifierOptionsSchema } from './options.js';
import { rejectionFromError, rejectToken } from './rejection.js';
import { createRemoteKeySet } from './remote-key-set.js';
import { sessionFromClaims } from './session-from-claims.js';
import type { Session } from './types.js';
import { createVerifiedTokenCache } from './verified-token-cache.js';

/** Verifies WorkOS access tokens. Made by {@link createSessionVerifier}. */
export interface SessionVerifier {
  /**
   * Verifies `token` and returns its {@link Session}, or throws `OrgkitError` with code
   * `unauthenticated` and a `TokenRejectionReason` as `reason`.
   */
  verifyAccessToken(token: string): Promise<Session>;
  /**
   * The session of `token` if this verifier has already verified it and keeps it in the
   * verified-token cache, still before its `exp`; otherwise `undefined`. Never verifies and never
   * throws: a caller that gets `undefined` calls {@link SessionVerifier.verifyAccessToken}.
   */
  peekVerifiedSession(token: string): Session | undefined;
}

// Far above any real WorkOS token (about 1 KiB); refusing longer input caps the work and memory
// an anonymous caller can cause before the signature is checked.
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Creates a verifier for WorkOS access tokens: RS256 only, keys from the remote JWKS (cached,
 * refetched on an unknown `kid` at most once per cooldown), `exp`/`nbf` with clock tolerance,
 * `iss` from an allow-list, `aud` when configured.
 *
 * @example
 * ```ts
 * const verifier = createSessionVerifier({
 *   jwksUrl: workos.userManagement.getJwksUrl(clientId),
 *   issuers: ['https://api.workos.com'],
 *   clockToleranceSeconds: 5,
 *   jwksCooldownMs: 30_000,
 *   jwksCacheMaxAgeMs: 600_000,
 *   verifiedTokenCache: false,
 * })
 * const session = await verifier.verifyAccessToken(bearerToken)
 * ```
 */
export function createSessionVerifier(options: SessionVerifierOptions): SessionVerifier {
  const o = parseInput(sessionVerifierOptionsSchema, options, 'createSessionVerifier');
  const getKey = createRemoteKeySet({
    jwksUrl: o.jwksUrl,
    cooldownMs: o.jwksCooldownMs,
    cacheMaxAgeMs: o.jwksCacheMaxAgeMs,
    timeoutMs: o.jwksTimeoutMs,
    maxStaleMs: o.jwksMaxStaleMs,
    failureCooldownMs: o.jwksFailureCooldownMs,
    now: o.now ?? Date.now,
    telemetry: o.telemetry ?? TELEMETRY_OFF,
  });
  const verifyOptions: JWTVerifyOptions = {
    algorithms: ['RS256'],
    issuer: [...o.issuers],
    audience: typeof o.audience === 'string' ? o.audience : o.audience && [...o.audience],
    clockTolerance: o.clockToleranceSeconds,
  };
  const clock = o.now;
  const now = clock ?? Date.now;
  const cache = o.verifiedTokenCache
    ? createVerifiedTokenCache(o.verifiedTokenCache.max, now)
    : undefined;

  return {
    async verifyAccessToken(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        throw rejectToken('malformed');
      }
      const cached = cache?.get(token);
      if (cached) return cached;
      let claims: JWTPayload;
      try {
        const options = clock
          ? { ...verifyOptions, currentDate: new Date(clock()) }
          : verifyOptions;
        ({ payload: claims } = await jwtVerify(token, getKey, options));
      } catch (error) {
        throw rejectionFromError(error);
      }
      const session = sessionFromClaims(claims);
      cache?.set(token, session);
      return session;
    },
    // Only a token this verifier accepted is ever in the cache, so a hit needs no checks of its
    // own; a wrong type or an over-long string is simply not there.
    peekVerifiedSession: (token) => (typeof token === 'string' ? cache?.get(token) : undefined),
  };
}
