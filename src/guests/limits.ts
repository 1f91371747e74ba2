import { createHash, createHmac } from 'node:crypto';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { isOrgkitError, OrgkitError } from '../errors/index.js';
import { type RateLimiterClasses, rateLimiterClasses } from './rate-limiter-classes.js';

/** One limit: at most `points` guest provisionings per `durationSeconds`. */
export interface GuestLimit {
  points: number;
  durationSeconds: number;
}

/**
 * Where the counters live. `'memory'` counts per process; Redis and Postgres share the counters
 * between every instance pointed at the same server, so the limits hold across instances.
 */
export type GuestLimitStore =
  | 'memory'
  | {
      /** An ioredis client (majors 5 and 6). */
      redis: unknown;
    }
  | {
      /**
       * A node-postgres `Pool` (or `Client`). rate-limiter-flexible creates its table on first
       * use (`CREATE TABLE IF NOT EXISTS`), so the role needs `CREATE` on the schema.
       */
      postgres: unknown;
      /** @default 'orgkit_rate_limits' */
      tableName?: string;
    };

/** `guests.limits`: which limits apply to guest provisioning, and where they are counted. */
export interface GuestLimitsOptions {
  /** Per client IP (from the request scope; see `missingIp` for calls without one). `false` turns it off. @default { points: 20, durationSeconds: 3600 } */
  perIp?: GuestLimit | false;
  /**
   * What a call does when `perIp` is on but the request has no client IP (a job outside a
   * request, or a runtime whose adapter could not tell the address): `'warn'` counts the other
   * limits and warns once per instance through `onWarning`; `'error'` refuses the call with
   * `rate_limited` (reason `ip_unknown`). Never skipped silently. @default 'warn'
   */
  missingIp?: 'warn' | 'error';
  /** Told once when `perIp` could not apply. @default console.warn */
  onWarning?: (message: string) => void;
  /** Per normalised email (trimmed, lower-cased). `false` turns it off. @default { points: 10, durationSeconds: 3600 } */
  perEmail?: GuestLimit | false;
  /** Across all callers of every instance sharing the store. `false` turns it off. @default { points: 1000, durationSeconds: 3600 } */
  global?: GuestLimit | false;
  /** @default 'memory' */
  store?: GuestLimitStore;
  /** Prefix of the counters' keys, so apps sharing a store keep apart. @default 'orgkit:guests' */
  keyPrefix?: string;
  /**
   * A secret (≥ 32 characters, the same on every instance) keying the counters' names: they are
   * then HMAC-SHA-256 of the email or IP, which someone holding a copy of Redis or the table cannot
   * reverse by hashing guessed emails. Without it they are plain SHA-256. Set it with a shared store.
   */
  keySecret?: string;
}

/** The parsed `guests.limits` (`false`: no limits). @internal */
export type ParsedGuestLimits =
  | false
  | {
      perIp: GuestLimit | false;
      perEmail: GuestLimit | false;
      global: GuestLimit | false;
      store: GuestLimitStore;
      keyPrefix: string;
      keySecret?: string | undefined;
      missingIp: 'warn' | 'error';
      onWarning?: ((message: string) => void) | undefined;
    };

type Bucket = 'ip' | 'email' | 'global';

/** How each bucket is named in messages and errors: the limit, never the IP or the email. */
const BUCKET: Record<Bucket, { reason: string; label: string }> = {
  global: { reason: 'global_limit', label: 'for everyone' },
  ip: { reason: 'ip_limit', label: 'from this client IP address' },
  email: { reason: 'email_limit', label: 'for this email address' },
};

interface Limiter {
  get(key: string): Promise<RateLimiterRes | null>;
  consume(key: string): Promise<RateLimiterRes>;
}

/** The guest limits of one orgkit instance. @internal */
export interface GuestLimiter {
  /**
   * Counts one provisioning attempt against every limit that applies, or throws `rate_limited`
   * (counting nothing when a limit is already used up).
   */
  admit(what: string, attempt: { email: string; ipAddress: string | undefined }): Promise<void>;
}

const NO_LIMITS: GuestLimiter = { admit: async () => undefined };

// Counter keys would otherwise hold emails and IPs at rest in Redis or Postgres: a digest keeps
// one bucket per value without storing the value; keyed, it cannot be matched against guesses.
const digester = (secret: string | undefined) =>
  secret === undefined
    ? (value: string) => createHash('sha256').update(value).digest('base64url')
    : (value: string) => createHmac('sha256', secret).update(value).digest('base64url');

const TABLE_EXISTS_RACE = new Set(['23505', '42P07']);

/** Builds the limiters of one store; a shared store gets a per-process insurance counter. */
function limiterFactory(store: GuestLimitStore, classes: RateLimiterClasses) {
  const { RateLimiterMemory, RateLimiterRedis, RateLimiterPostgres } = classes;
  if (store === 'memory') {
    return (keyPrefix: string, limit: GuestLimit): Limiter =>
      new RateLimiterMemory({ keyPrefix, points: limit.points, duration: limit.durationSeconds });
  }
  // While Redis or Postgres cannot be reached, each instance counts on its own rather than
  // letting every attempt through (fail open) or refusing every guest (fail closed).
  const insurance = (keyPrefix: string, limit: GuestLimit) =>
    new RateLimiterMemory({ keyPrefix, points: limit.points, duration: limit.durationSeconds });
  if ('redis' in store) {
    return (keyPrefix: string, limit: GuestLimit): Limiter =>
      new RateLimiterRedis!({
        storeClient: store.redis,
        keyPrefix,
        points: limit.points,
        duration: limit.durationSeconds,
        insuranceLimiter: insurance(keyPrefix, limit),
      });
  }
  const tableName = store.tableName ?? 'orgkit_rate_limits';
  // One table for all buckets, created once per instance before any counter is used:
  // rate-limiter-flexible refuses to count until its table exists, and two instances creating it
  // at once may collide on Postgres's catalog (then it exists).
  let tableReady: Promise<void> | undefined;
  const ensureTable = () => {
    tableReady ??= new Promise<void>((resolve, reject) => {
      new RateLimiterPostgres!(
        {
          storeClient: store.postgres,
          tableName,
          points: 1,
          duration: 1,
          clearExpiredByTimeout: false,
        },
        (error?: Error) =>
          !error || TABLE_EXISTS_RACE.has((error as { code?: string }).code ?? '')
            ? resolve()
            : reject(error),
      );
    }).catch((error: unknown) => {
      tableReady = undefined;
      throw error;
    });
    return tableReady;
  };
  return (keyPrefix: string, limit: GuestLimit): Limiter => {
    let limiter: Limiter | undefined;
    const ready = async () => {
      await ensureTable();
      limiter ??= new RateLimiterPostgres!({
        storeClient: store.postgres,
        tableName,
        tableCreated: true,
        keyPrefix,
        points: limit.points,
        duration: limit.durationSeconds,
        insuranceLimiter: insurance(keyPrefix, limit),
      });
      return limiter;
    };
    return {
      get: async (key) => (await ready()).get(key),
      consume: async (key) => (await ready()).consume(key),
    };
  };
}

const retryAfterSeconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

function limited(what: string, bucket: Bucket, res: RateLimiterRes): OrgkitError {
  const seconds = retryAfterSeconds(res);
  const { reason, label } = BUCKET[bucket];
  return new OrgkitError(
    'rate_limited',
    `${what}: too many guest provisionings ${label}; try again in ${seconds} s`,
    { reason, details: { retryAfterSeconds: seconds, limit: bucket } },
  );
}

/**
 * Limits guest provisioning per client IP, per normalised email and globally with
 * rate-limiter-flexible. An attempt first reads every bucket and is refused, counting nothing,
 * when one is used up: a client refused for its IP keeps no bucket busy that others need (the
 * global one, or the email of the guest it targets). Only then is the attempt counted in each.
 * @internal
 */
export function createGuestLimiter(options: ParsedGuestLimits): GuestLimiter {
  if (options === false) return NO_LIMITS;
  const limits = (['global', 'ip', 'email'] as const).flatMap((bucket) => {
    const limit = options[bucket === 'ip' ? 'perIp' : bucket === 'email' ? 'perEmail' : 'global'];
    return limit ? [{ bucket, limit }] : [];
  });
  if (limits.length === 0) return NO_LIMITS;
  // rate-limiter-flexible is loaded by the first provisioning, store by store: an app that never
  // provisions a guest never loads it, and a memory store never loads the Redis/Postgres ones.
  let loaded:
    | Promise<{
        buckets: { bucket: Bucket; limiter: Limiter }[];
        Res: RateLimiterClasses['RateLimiterRes'];
      }>
    | undefined;
  const load = () => {
    loaded ??= rateLimiterClasses(options.store).then((classes) => {
      const build = limiterFactory(options.store, classes);
      return {
        buckets: limits.map(({ bucket, limit }) => ({
          bucket,
          limiter: build(`${options.keyPrefix}:${bucket}`, limit),
        })),
        Res: classes.RateLimiterRes,
      };
    });
    return loaded;
  };
  const hasIpLimit = limits.some((l) => l.bucket === 'ip');
  let warnedNoIp = false;
  const noIp = (what: string) => {
    if (options.missingIp === 'error') {
      throw new OrgkitError(
        'rate_limited',
        `${what}: the per-IP guest limit is on but this request has no client IP; set the adapter's trustProxy or clientIp, or guests.limits.perIp: false`,
        { reason: 'ip_unknown', details: { limit: 'ip' } },
      );
    }
    if (warnedNoIp) return;
    warnedNoIp = true;
    (options.onWarning ?? console.warn)(
      `orgkit: ${what}: the per-IP guest limit is on but a request had no client IP, so only the per-email and global limits counted it (warned once; guests.limits.missingIp: 'error' refuses such calls)`,
    );
  };

  const digest = digester(options.keySecret);
  const keyOf = (bucket: Bucket, attempt: { email: string; ipAddress: string | undefined }) =>
    bucket === 'global'
      ? 'all'
      : bucket === 'email'
        ? digest(attempt.email)
        : attempt.ipAddress && digest(attempt.ipAddress);

  return {
    async admit(what, attempt) {
      if (hasIpLimit && !attempt.ipAddress) noIp(what);
      const { buckets, Res } = await load();
      const applying = buckets.flatMap(({ bucket, limiter }) => {
        const key = keyOf(bucket, attempt);
        return key ? [{ bucket, limiter, key }] : [];
      });
      try {
        const seen = await Promise.all(applying.map(({ limiter, key }) => limiter.get(key)));
        const full = applying
          .map((b, i) => ({ ...b, res: seen[i] }))
          .filter(
            (b): b is typeof b & { res: RateLimiterRes } =>
              !!b.res && b.res.remainingPoints <= 0 && b.res.msBeforeNext > 0,
          );
        if (full.length > 0) {
          // The caller can only succeed once every full bucket has room again.
          const longest = full.reduce((a, b) => (b.res.msBeforeNext > a.res.msBeforeNext ? b : a));
          throw limited(what, longest.bucket, longest.res);
        }
        const counted = await Promise.allSettled(
          applying.map(({ limiter, key }) => limiter.consume(key)),
        );
        const refused = counted.flatMap((c, i) =>
          c.status === 'rejected' && c.reason instanceof Res
            ? [{ bucket: applying[i]!.bucket, res: c.reason }]
            : [],
        );
        const failed = counted.find((c) => c.status === 'rejected' && !(c.reason instanceof Res));
        if (failed) throw (failed as PromiseRejectedResult).reason;
        if (refused.length > 0) {
          // Lost a race for the last point of a bucket.
          const longest = refused.reduce((a, b) =>
            b.res.msBeforeNext > a.res.msBeforeNext ? b : a,
          );
          throw limited(what, longest.bucket, longest.res);
        }
      } catch (error) {
        if (isOrgkitError(error)) throw error;
        throw new OrgkitError(
          'upstream_unavailable',
          `${what}: the guest rate-limit store could not be read`,
          { reason: 'rate_limit_store_unavailable', cause: error },
        );
      }
    },
  };
}
