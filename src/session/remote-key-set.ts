import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { ATTR, METRIC, SPAN, SPAN_KIND, type Telemetry } from '../telemetry/index.js';
import { JwksUnavailableError } from './rejection.js';

/** Options of {@link createRemoteKeySet}. @internal */
export interface RemoteKeySetOptions {
  jwksUrl: string;
  /** Minimum time between refetches triggered by an unknown `kid`. */
  cooldownMs: number;
  /** After a failed read of the set, how long no new request is sent; verifications meanwhile use the last set or fail at once. */
  failureCooldownMs: number;
  /** Refetch the set once it is older than this, even when every `kid` is known. */
  cacheMaxAgeMs: number;
  /** Give up on one JWKS request after this long. */
  timeoutMs: number;
  /** How long past `cacheMaxAgeMs` the last set may serve while refreshes fail; `0`: never. */
  maxStaleMs: number;
  /** The clock, in ms. */
  now: () => number;
  telemetry: Telemetry;
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
 * orgkit reads the set itself (the first time, and when it has aged): one request at a time
 * however many verifications need it, and after a failed one no new request for
 * `failureCooldownMs`. Meanwhile the last set read keeps serving, for at most `maxStaleMs` past its
 * age, and with no usable set verifications fail at once, so requests never queue up on a dead
 * endpoint (jose alone would ask again for every request, and drop the set as soon as a refresh
 * fails).
 * @internal
 */
export function createRemoteKeySet(options: RemoteKeySetOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.cooldownMs,
    // The set's age is watched here, on `now`, so jose never rereads it on its own: a read it
    // started would bypass the sharing and the cool-down below.
    cacheMaxAge: Number.POSITIVE_INFINITY,
    timeoutDuration: options.timeoutMs,
  });
  const { now } = options;
  const jwksHost = new URL(options.jwksUrl).host;
  /** When the set was last read (or earlier: jose may also reread it on an unknown `kid`). */
  let readAt: number | undefined;
  // jose hands out its set as a deep copy: one is taken when a refresh fails, then reused.
  let lastSet: JWTVerifyGetKey | undefined;
  let pendingRead: Promise<void> | undefined;
  let lastFailure: { cause: unknown; retryAt: number } | undefined;

  // One request for the set: a client span under the verification that needed it, and a count.
  const fetchSet = (): Promise<void> => {
    const recorder = options.telemetry.recorder();
    if (!recorder) return remote.reload();
    return recorder.span(
      SPAN.jwksFetch,
      { 'server.address': jwksHost },
      (span) =>
        remote.reload().then(
          () => {
            span.setAttribute(ATTR.outcome, 'success');
            recorder.count(METRIC.jwksFetches, { [ATTR.outcome]: 'success' });
          },
          (error: unknown) => {
            recorder.count(METRIC.jwksFetches, { [ATTR.outcome]: 'failure' });
            throw error;
          },
        ),
      SPAN_KIND.client,
    );
  };

  /**
   * Reads the set. Verifications that need it while a read is under way share that read; within
   * `failureCooldownMs` of a failed read they get its failure at once, without a request.
   */
  const readSet = (): Promise<void> => {
    if (pendingRead) return pendingRead;
    const failure = lastFailure;
    if (failure && now() < failure.retryAt) {
      return Promise.reject(new JwksUnavailableError(failure.cause, failure.retryAt - now()));
    }
    // The failure is recorded before any waiting verification resumes, so none of them (nor one
    // arriving in between) can start a second request.
    pendingRead = fetchSet()
      .then(
        () => {
          readAt = now();
          lastFailure = undefined;
        },
        (error: unknown) => {
          lastFailure = { cause: error, retryAt: now() + options.failureCooldownMs };
          throw new JwksUnavailableError(error);
        },
      )
      .finally(() => {
        pendingRead = undefined;
      });
    return pendingRead;
  };

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
   * Refreshes an aged set. When that fails (or failed within the cool-down), answers the last
   * set if it may still serve, else throws; `undefined` means the set is fresh again.
   */
  const refreshOrLastSet = async (): Promise<JWTVerifyGetKey | undefined> => {
    try {
      await readSet();
      return undefined;
    } catch (error) {
      // A new copy once per failed request (the set may have changed since the last copy); the
      // verifications failing fast in between reuse it.
      const last = staleKeys(!(error as JwksUnavailableError).failedFast);
      if (!last) throw error;
      return last;
    }
  };

  const keyFor: JWTVerifyGetKey = async (header, token) => {
    if (readAt === undefined) await readSet();
    else if (now() - readAt >= options.cacheMaxAgeMs) {
      const last = await refreshOrLastSet();
      if (last) return last(header, token);
    }
    try {
      return await remote(header, token);
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
