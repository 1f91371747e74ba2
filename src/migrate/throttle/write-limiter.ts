import pLimit from 'p-limit';
import pThrottle from 'p-throttle';
import * as z from 'zod';
import { parseInput } from '../../errors/index.js';
import { RateLimitGate } from '../../workos-calls/retry.js';

/**
 * WorkOS writes a migration starts per second by default: 90 % of what User Management allows,
 * 500 writes per 10 seconds per environment ("Rate limits", https://workos.com/docs/reference/rate-limits,
 * the AuthKit table: Writes, /user_management/*). The rest is room for the app's own writes to
 * the same environment and for timing jitter; every other request stays far below the general
 * 6,000 per 60 seconds per API key. Spread evenly, never in bursts of 500.
 */
export const DEFAULT_WRITES_PER_SECOND = 45;

/**
 * Writes in flight at once by default: enough to keep 45 writes a second going while each takes
 * up to ≈ 350 ms, few enough that a 429 finds little already sent.
 */
export const DEFAULT_WRITE_CONCURRENCY = 16;

/**
 * The shared `Retry-After` pause: while `remainingMs()` is above 0 no write starts. A caller
 * that gets a 429 closes it with `closeFor(ms)`, so every write waits instead of each one
 * spending its own retries against a limit that is still closed.
 */
export interface WriteLimiterGate {
  remainingMs(): number;
  closeFor(ms: number): void;
}

/** Options of {@link createWriteLimiter}. */
export interface WriteLimiterOptions {
  /** Writes started per second, evenly spaced. @default DEFAULT_WRITES_PER_SECOND (45) */
  perSecond?: number;
  /** Writes in flight at once. @default DEFAULT_WRITE_CONCURRENCY (16) */
  concurrency?: number;
  /** A pause shared with other callers (the guest flow's retry gate). @default a new one */
  gate?: WriteLimiterGate;
}

/** Starts WorkOS writes no faster than a rate, a bounded number at a time. */
export interface WriteLimiter {
  /**
   * Runs `fn` once a start is allowed: a concurrency slot is free, the gate is open and the
   * rate has room. Resolves or rejects as `fn` does; the slot is freed either way. One call is
   * one request: send every attempt of a retried write through `run` again.
   */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** The pause this limiter waits on; close it on a 429 with the answer's `Retry-After`. */
  readonly gate: WriteLimiterGate;
  readonly perSecond: number;
  readonly concurrency: number;
  /** Writes started and not yet settled. */
  readonly active: number;
  /** Writes waiting for a slot, the gate or the rate. */
  readonly pending: number;
}

const gateSchema = z.custom<WriteLimiterGate>(
  (v) =>
    typeof (v as WriteLimiterGate | null)?.remainingMs === 'function' &&
    typeof (v as WriteLimiterGate | null)?.closeFor === 'function',
  'expected an object with remainingMs() and closeFor(ms)',
);
const optionsSchema = z
  .strictObject({
    perSecond: z.number().int().min(1).max(10_000).optional(),
    concurrency: z.number().int().min(1).max(1_000).optional(),
    gate: gateSchema.optional(),
  })
  .optional();

const fnSchema = z.custom<() => Promise<unknown>>(
  (v) => typeof v === 'function',
  'expected a function',
);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A limiter for WorkOS writes: at most `perSecond` starts a second, spaced `1000 / perSecond`
 * ms apart, at most `concurrency` in flight, and none while the shared gate is closed.
 *
 * @example
 * ```ts
 * const limiter = createWriteLimiter({ perSecond: 45, concurrency: 16 })
 * const user = await limiter.run(() => workos.userManagement.createUser({ email }))
 * ```
 */
export function createWriteLimiter(options?: WriteLimiterOptions): WriteLimiter {
  const o = parseInput(optionsSchema, options, 'createWriteLimiter') ?? {};
  const perSecond = o.perSecond ?? DEFAULT_WRITES_PER_SECOND;
  const concurrency = o.concurrency ?? DEFAULT_WRITE_CONCURRENCY;
  const gate: WriteLimiterGate = o.gate ?? new RateLimitGate();
  const slots = pLimit(concurrency);
  let running = 0;
  // One start per interval: a bucket of one token, so starts are spread, never bunched.
  const spaced = pThrottle({ limit: 1, interval: 1000 / perSecond })(() => undefined);
  // Timers fire late, and a late start lets the ones after it crowd it; this sliding window
  // counts the times starts really happened, so no second ever holds more than `perSecond`.
  const windowed = pThrottle({ limit: perSecond, interval: 1000, strict: true })(() => undefined);
  const nextStart = async () => {
    await spaced();
    await windowed();
  };

  async function startWhenAllowed(): Promise<void> {
    for (;;) {
      for (let ms = gate.remainingMs(); ms > 0; ms = gate.remainingMs()) await sleep(ms);
      await nextStart();
      // A 429 may have closed the gate while this start waited its turn: wait again.
      if (gate.remainingMs() === 0) return;
    }
  }

  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      parseInput(fnSchema, fn, 'WriteLimiter.run');
      return slots(async () => {
        await startWhenAllowed();
        running++;
        try {
          return await fn();
        } finally {
          running--;
        }
      });
    },
    gate,
    perSecond,
    concurrency,
    get active() {
      return running;
    },
    get pending() {
      return slots.pendingCount + slots.activeCount - running;
    },
  };
}
