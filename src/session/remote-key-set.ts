import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { JwksUnavailableError } from './rejection.js';

/** Options of {@link createRemoteKeySet}. @internal */
export interface RemoteKeySetOptions {
  jwksUrl: string;
  /** Minimum time between refetches triggered by an unknown `kid`; also the back-off after a failed refresh. */
  cooldownMs: number;
  /** Refetch the set once it is older than this, even when every `kid` is known. */
  cacheMaxAgeMs: number;
  /** Give up on one JWKS request after this long. */
  timeoutMs: number;
  /** How long past `cacheMaxAgeMs` the last set may serve while refreshes fail; `0`: never. */
  maxStaleMs: number;
  /** The clock, in ms. */
  now: () => number;
}

// Errors that mean "this token's key is not in the set" rather than "the set could not be read".
const KEY_SELECTION_CODES = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

const isKeySelectionError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && KEY_SELECTION_CODES.has(code);
};

/**
 * jose's cached remote JWKS (refetched on an unknown `kid`, at most once per cooldown), with every
 * failure to fetch or read the set turned into {@link JwksUnavailableError}, so a network error
 * never surfaces as a raw `TypeError: fetch failed`.
 *
 * jose drops to an error as soon as a refresh of an aged set fails, so a short outage of the JWKS
 * endpoint would sign everybody out. Here the last set read keeps serving, for at most
 * `maxStaleMs` past its age, and a failed refresh is not retried for `cooldownMs`, so requests do
 * not each wait on a dead endpoint.
 * @internal
 */
export function createRemoteKeySet(options: RemoteKeySetOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    timeoutDuration: options.timeoutMs,
  });
  const { now } = options;
  /** When the set was last read (or earlier: jose may also reread it on an unknown `kid`). */
  let readAt: number | undefined;
  let retryAt = 0;
  // jose hands out its set as a deep copy: one is taken when a refresh fails, then reused.
  let lastSet: JWTVerifyGetKey | undefined;

  /** The last set read, while it may still serve; `snapshot` takes a new copy of it. */
  const staleKeys = (snapshot: boolean): JWTVerifyGetKey | undefined => {
    if (options.maxStaleMs === 0 || readAt === undefined) return undefined;
    if (now() - readAt > options.cacheMaxAgeMs + options.maxStaleMs) return undefined;
    if (snapshot || !lastSet) {
      const jwks = remote.jwks();
      lastSet = jwks && createLocalJWKSet(jwks);
    }
    return lastSet;
  };

  /**
   * Refreshes an aged set. When that fails (or failed within the back-off), answers the last
   * set if it may still serve, else throws; `undefined` means the set is fresh again.
   */
  const refreshOrLastSet = async (): Promise<JWTVerifyGetKey | undefined> => {
    if (now() < retryAt) {
      const last = staleKeys(false);
      if (last) return last;
    }
    try {
      await remote.reload();
      readAt = now();
      return undefined;
    } catch (error) {
      const last = staleKeys(true);
      if (!last) throw new JwksUnavailableError(error);
      retryAt = now() + options.cooldownMs;
      return last;
    }
  };

  const keyFor: JWTVerifyGetKey = async (header, token) => {
    const hadSet = readAt !== undefined;
    if (hadSet && !remote.fresh) {
      const last = await refreshOrLastSet();
      if (last) return last(header, token);
    }
    try {
      const key = await remote(header, token);
      // The first successful call has just read the set.
      if (!hadSet) readAt = now();
      return key;
    } catch (error) {
      if (isKeySelectionError(error)) throw error;
      throw new JwksUnavailableError(error);
    }
  };

  return async (header, token) => {
    const key = (await keyFor(header, token)) as CryptoKey;
    // jose refuses RSA keys under 2048 bits later with a bare TypeError; the set is at fault.
    const bits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
    if (bits !== undefined && bits < 2048) {
      throw new JwksUnavailableError(new Error('the JWKS key is shorter than 2048 bits'));
    }
    return key;
  };
}
