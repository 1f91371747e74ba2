import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { JwksUnavailableError } from './rejection.js';

/** Options of {@link createRemoteKeySet}. @internal */
export interface RemoteKeySetOptions {
  jwksUrl: string;
  /** Minimum time between refetches triggered by an unknown `kid`. */
  cooldownMs: number;
  /** Refetch the set once it is older than this, even when every `kid` is known. */
  cacheMaxAgeMs: number;
  /** Give up on one JWKS request after this long. */
  timeoutMs: number;
}

// Errors that mean "this token's key is not in the set" rather than "the set could not be read".
const KEY_SELECTION_CODES = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

/**
 * jose's cached remote JWKS (refetched on an unknown `kid`, at most once per cooldown), with every
 * failure to fetch or read the set turned into {@link JwksUnavailableError}, so a network error
 * never surfaces as a raw `TypeError: fetch failed`.
 * @internal
 */
export function createRemoteKeySet(options: RemoteKeySetOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    timeoutDuration: options.timeoutMs,
  });
  return async (header, token) => {
    let key: CryptoKey;
    try {
      key = await remote(header, token);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && KEY_SELECTION_CODES.has(code)) throw error;
      throw new JwksUnavailableError(error);
    }
    // jose refuses RSA keys under 2048 bits later with a bare TypeError; the set is at fault.
    const bits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
    if (bits !== undefined && bits < 2048) {
      throw new JwksUnavailableError(new Error('the JWKS key is shorter than 2048 bits'));
    }
    return key;
  };
}
