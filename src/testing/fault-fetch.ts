import * as z from 'zod';
import { parseInput } from '../errors/index.js';
import { seededRandom } from './seeded-random.js';

/** What a {@link FaultyFetch} can make go wrong. */
export type FaultKind =
  | 'rate_limit'
  | 'server_error'
  | 'service_unavailable'
  | 'timeout'
  | 'connection_reset';

/** One way requests fail: a kind, which requests it hits, and how. */
export interface FaultRule {
  /**
   * `rate_limit` answers 429 with `Retry-After`; `server_error` 500; `service_unavailable` 503;
   * `timeout` never answers (see `timeoutMs`); `connection_reset` rejects like undici does when the
   * peer drops the connection: `TypeError('fetch failed')` with `cause.code === 'ECONNRESET'`.
   */
  fault: FaultKind;
  /** Fraction (0–1) of matching requests that fail, drawn from the seeded PRNG. */
  rate?: number;
  /** 1-based numbers of the matching requests that fail, e.g. `[2]` for the second. */
  calls?: number[];
  /** Only requests with this method (or one of these). @default any method */
  method?: string | string[];
  /** Only requests whose path starts with this string, or matches this RegExp. @default any path */
  path?: string | RegExp;
  /** `Retry-After` in seconds on 429 and 503 answers. @default 1 on 429, none on 503 */
  retryAfterSeconds?: number;
  /**
   * For `timeout`: reject with a `TimeoutError` after this many ms. Without it the request waits
   * until the caller's `AbortSignal` fires, like a server that never answers.
   */
  timeoutMs?: number;
  /**
   * Send the request on before failing, so the server applies it and only the answer is lost
   * (a write that timed out after it landed). Not for `rate_limit`, which WorkOS never applies.
   * @default false
   */
  deliver?: boolean;
}

/** Options of {@link createFaultyFetch}. Without rules or `rateLimit` every request passes. */
export interface FaultyFetchOptions {
  /** The faults to inject; rules are checked in order and the first that fires decides. */
  faults?: FaultRule | FaultRule[];
  /**
   * A sliding-window limiter: once `limit` requests passed within `windowMs`, further ones get 429
   * with the `Retry-After` (seconds) at which a slot frees. Requests it refuses are not counted.
   */
  rateLimit?: {
    limit: number;
    windowMs: number;
    method?: string | string[];
    path?: string | RegExp;
  };
  /** PRNG seed for `rate` rules, so runs are reproducible. @default 1 */
  seed?: number;
  /** The fetch that passing requests go to. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Clock for `rateLimit`, in ms. @default Date.now */
  now?: () => number;
}

/** A `fetch` with injected faults and counters; pass it as the WorkOS SDK's `fetchFn`. */
export interface FaultyFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Every request made, faulted or not. */
  readonly calls: number;
  /** Faults injected so far, by kind. */
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Zeroes the counters, restarts the PRNG from its seed and empties the rate-limit window. */
  reset(): void;
}

const FAULT_KINDS = [
  'rate_limit',
  'server_error',
  'service_unavailable',
  'timeout',
  'connection_reset',
] as const;

const methodFilter = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional();
const pathFilter = z.union([z.string().min(1), z.instanceof(RegExp)]).optional();
const ruleSchema = z
  .strictObject({
    fault: z.enum(FAULT_KINDS),
    rate: z.number().min(0).max(1).optional(),
    calls: z.array(z.number().int().positive()).min(1).optional(),
    method: methodFilter,
    path: pathFilter,
    retryAfterSeconds: z.number().int().min(0).optional(),
    timeoutMs: z.number().int().positive().optional(),
    deliver: z.boolean().optional(),
  })
  .refine((r) => r.rate === undefined || r.calls === undefined, 'use rate or calls, not both')
  .refine((r) => !(r.deliver && r.fault === 'rate_limit'), 'a rate_limit fault cannot deliver');
const optionsSchema = z.strictObject({
  faults: z.union([ruleSchema, z.array(ruleSchema)]).optional(),
  rateLimit: z
    .strictObject({
      limit: z.number().int().positive(),
      windowMs: z.number().int().positive(),
      method: methodFilter,
      path: pathFilter,
    })
    .optional(),
  seed: z.number().int().optional(),
  fetch: z
    .custom<typeof fetch>((v) => typeof v === 'function', 'expected a fetch function')
    .optional(),
  now: z.custom<() => number>((v) => typeof v === 'function', 'expected a function').optional(),
});

interface RequestInfo {
  method: string;
  path: string;
  signal: AbortSignal | undefined;
}

function describeRequest(
  input: string | URL | Request,
  init: RequestInit | undefined,
): RequestInfo {
  const request = input instanceof Request ? input : undefined;
  const url = request ? request.url : String(input);
  return {
    method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
    path: new URL(url, 'http://localhost').pathname,
    signal: init?.signal ?? request?.signal ?? undefined,
  };
}

function matches(
  filter: { method?: string | string[] | undefined; path?: string | RegExp | undefined },
  req: RequestInfo,
): boolean {
  if (filter.method !== undefined) {
    const methods = (Array.isArray(filter.method) ? filter.method : [filter.method]).map((m) =>
      m.toUpperCase(),
    );
    if (!methods.includes(req.method)) return false;
  }
  if (filter.path === undefined) return true;
  return typeof filter.path === 'string'
    ? req.path.startsWith(filter.path)
    : filter.path.test(req.path);
}

function jsonResponse(
  status: number,
  message: string,
  code: string,
  retryAfter?: number,
): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return new Response(JSON.stringify({ message, code }), { status, headers });
}

function hang(signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<never> {
  return new Promise((_, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => reject(new DOMException(`no answer after ${timeoutMs} ms`, 'TimeoutError')),
            timeoutMs,
          );
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new DOMException('This operation was aborted', 'AbortError'));
    };
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}

function connectionReset(): TypeError {
  const cause = Object.assign(new Error('read ECONNRESET'), {
    code: 'ECONNRESET',
    errno: -104,
    syscall: 'read',
  });
  return new TypeError('fetch failed', { cause });
}

function injectFault(rule: FaultRule, req: RequestInfo): Promise<Response> {
  switch (rule.fault) {
    case 'rate_limit':
      return Promise.resolve(
        jsonResponse(429, 'Too Many Requests', 'rate_limit_exceeded', rule.retryAfterSeconds ?? 1),
      );
    case 'server_error':
      return Promise.resolve(jsonResponse(500, 'Internal Server Error', 'server_error'));
    case 'service_unavailable':
      return Promise.resolve(
        jsonResponse(503, 'Service Unavailable', 'service_unavailable', rule.retryAfterSeconds),
      );
    case 'timeout':
      return hang(req.signal, rule.timeoutMs);
    case 'connection_reset':
      return Promise.reject(connectionReset());
  }
}

/**
 * A `fetch` that injects WorkOS-style faults (429 with `Retry-After`, 500, 503, timeouts,
 * connection resets) by call number or seeded rate, and can act as a sliding-window rate limiter.
 * Faulted requests never reach the server unless their rule says `deliver`.
 *
 * @example
 * ```ts
 * const fetchFn = createFaultyFetch({ faults: { fault: 'service_unavailable', calls: [2] } })
 * const workos = await createWorkOSTestClient({ emulator, fetchFn, maxRetries: 0 })
 * // ...the second request answers 503; fetchFn.faults.service_unavailable === 1
 * ```
 */
export function createFaultyFetch(options: FaultyFetchOptions = {}): FaultyFetch {
  const o = parseInput(optionsSchema, options, 'createFaultyFetch');
  const rules = (o.faults === undefined ? [] : [o.faults].flat()) as FaultRule[];
  const seed = o.seed ?? 1;
  const now = o.now ?? Date.now;
  const next = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let random = seededRandom(seed);
  let calls = 0;
  let ruleCalls = rules.map(() => 0);
  let admitted: number[] = [];
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

  const pickRule = (req: RequestInfo): FaultRule | undefined => {
    let fired: FaultRule | undefined;
    rules.forEach((rule, i) => {
      if (!matches(rule, req)) return;
      const n = ++ruleCalls[i]!;
      const fires =
        rule.calls !== undefined
          ? rule.calls.includes(n)
          : rule.rate !== undefined
            ? random() < rule.rate
            : true;
      if (fires) fired ??= rule;
    });
    return fired;
  };

  // Retry-After is when the oldest admitted request leaves the window, so a client that waits
  // that long is admitted.
  const rateLimited = (req: RequestInfo): number | undefined => {
    const limit = o.rateLimit;
    if (!limit || !matches(limit, req)) return undefined;
    const t = now();
    admitted = admitted.filter((at) => at > t - limit.windowMs);
    if (admitted.length < limit.limit) {
      admitted.push(t);
      return undefined;
    }
    return Math.max(1, Math.ceil((admitted[0]! + limit.windowMs - t) / 1000));
  };

  const faultyFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls++;
    const req = describeRequest(input, init);
    const rule = pickRule(req);
    if (rule) {
      faults[rule.fault]++;
      if (rule.deliver) await (await next(input, init)).arrayBuffer();
      return injectFault(rule, req);
    }
    const retryAfter = rateLimited(req);
    if (retryAfter !== undefined) {
      faults.rate_limit++;
      return jsonResponse(429, 'Too Many Requests', 'rate_limit_exceeded', retryAfter);
    }
    return next(input, init);
  }) as FaultyFetch;

  Object.defineProperties(faultyFetch, {
    calls: { get: () => calls, enumerable: true },
    faults: { get: () => ({ ...faults }), enumerable: true },
    reset: {
      value: () => {
        calls = 0;
        ruleCalls = rules.map(() => 0);
        admitted = [];
        random = seededRandom(seed);
        for (const k of FAULT_KINDS) faults[k] = 0;
      },
    },
  });
  return faultyFetch;
}
