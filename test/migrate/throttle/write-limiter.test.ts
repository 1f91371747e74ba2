import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isOrgkitError } from '../../../src/errors/index.js';
import {
  createWriteLimiter,
  DEFAULT_WRITE_CONCURRENCY,
  DEFAULT_WRITES_PER_SECOND,
} from '../../../src/migrate/index.js';
import { RateLimitGate } from '../../../src/workos-calls/retry.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A write that notes when it started and how many were in flight with it. */
function instrumented(durationMs = 0) {
  const starts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (value: number = starts.length) => {
    starts.push(Date.now());
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (durationMs > 0) await new Promise((resolve) => setTimeout(resolve, durationMs));
      return value;
    } finally {
      inFlight--;
    }
  };
  return {
    write,
    starts,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

/** The most starts that fall in any half-open window [t, t + windowMs). */
function mostStartsInWindow(starts: number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function settleAll<T>(promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  const all = Promise.allSettled(promises);
  await vi.runAllTimersAsync();
  return all;
}

// Rates whose spacing is a whole number of ms, so the fake clock lands on every start exactly.
const EVEN_RATES = [1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 125, 200, 250, 500, 1000];

describe('createWriteLimiter: rate', () => {
  it('starts queued writes one spacing apart, at the rate and no faster', async () => {
    const limiter = createWriteLimiter({ perSecond: 10, concurrency: 100 });
    const probe = instrumented();
    const t0 = Date.now();
    const results = await settleAll(Array.from({ length: 25 }, () => limiter.run(probe.write)));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(probe.starts.map((t) => t - t0)).toEqual(Array.from({ length: 25 }, (_, i) => i * 100));
    expect(mostStartsInWindow(probe.starts, 1000)).toBe(10);
  });

  it('property: never more than perSecond starts in any second, nor more than concurrency in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EVEN_RATES),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 700 }),
        async (perSecond, concurrency, writes, durationMs) => {
          const limiter = createWriteLimiter({ perSecond, concurrency });
          const probe = instrumented(durationMs);
          const results = await settleAll(
            Array.from({ length: writes }, (_, i) => limiter.run(() => probe.write(i))),
          );
          expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r))).toEqual(
            Array.from({ length: writes }, (_, i) => i),
          );
          expect(probe.starts).toHaveLength(writes);
          expect(mostStartsInWindow(probe.starts, 1000)).toBeLessThanOrEqual(perSecond);
          expect(probe.maxInFlight).toBeLessThanOrEqual(concurrency);
          const sorted = [...probe.starts].sort((a, b) => a - b);
          for (let i = 1; i < sorted.length; i++) {
            expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(1000 / perSecond);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('property: timers that fire late never let more than perSecond starts into one second', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(10, 20, 50, 100),
        fc.integer({ min: 2, max: 32 }),
        fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 64 }),
        async (perSecond, concurrency, lateness) => {
          // Every timer fires some ms after it was due, as on a busy event loop.
          const fakeSetTimeout = globalThis.setTimeout;
          let n = 0;
          const late = vi
            .spyOn(globalThis, 'setTimeout')
            .mockImplementation(((fn: () => void, ms?: number) =>
              fakeSetTimeout(fn, (ms ?? 0) + lateness[n++ % lateness.length]!)) as never);
          try {
            const limiter = createWriteLimiter({ perSecond, concurrency });
            const probe = instrumented();
            await settleAll(Array.from({ length: perSecond * 3 }, () => limiter.run(probe.write)));
            expect(probe.starts).toHaveLength(perSecond * 3);
            expect(mostStartsInWindow(probe.starts, 1000)).toBeLessThanOrEqual(perSecond);
          } finally {
            late.mockRestore();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('spreads a fractional spacing without exceeding the rate (3 a second)', async () => {
    const limiter = createWriteLimiter({ perSecond: 3, concurrency: 50 });
    const probe = instrumented(50);
    await settleAll(Array.from({ length: 30 }, () => limiter.run(probe.write)));
    expect(mostStartsInWindow(probe.starts, 1000)).toBeLessThanOrEqual(3);
    // 30 starts at 3 a second take 29 spacings of a third of a second.
    expect(Math.max(...probe.starts) - Math.min(...probe.starts)).toBeGreaterThanOrEqual(9_660);
    expect(Math.max(...probe.starts) - Math.min(...probe.starts)).toBeLessThanOrEqual(9_670);
  });

  it('starts at once after an idle spell instead of waiting out an old schedule', async () => {
    const limiter = createWriteLimiter({ perSecond: 2, concurrency: 4 });
    const probe = instrumented();
    await settleAll([limiter.run(probe.write)]);
    await vi.advanceTimersByTimeAsync(5_000);
    const before = Date.now();
    const second = limiter.run(probe.write);
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.starts.at(-1)).toBe(before);
    await second;
  });
});

describe('createWriteLimiter: concurrency', () => {
  it('keeps at most `concurrency` writes in flight and reports active and pending', async () => {
    const limiter = createWriteLimiter({ perSecond: 1000, concurrency: 3 });
    const releases: (() => void)[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const write = () =>
      new Promise<void>((resolve) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        releases.push(() => {
          inFlight--;
          resolve();
        });
      });
    const all = Array.from({ length: 10 }, () => limiter.run(write));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(inFlight).toBe(3);
    expect(limiter.active).toBe(3);
    expect(limiter.pending).toBe(7);
    while (releases.length > 0) {
      releases.shift()!();
      await vi.advanceTimersByTimeAsync(10);
    }
    await Promise.all(all);
    expect(maxInFlight).toBe(3);
    expect(limiter.active).toBe(0);
    expect(limiter.pending).toBe(0);
  });

  it('passes a rejection through unchanged and frees the slot', async () => {
    const limiter = createWriteLimiter({ perSecond: 100, concurrency: 1 });
    const failure = new Error('WorkOS said no');
    const failed = limiter.run(() => Promise.reject(failure));
    const next = limiter.run(async () => 'next ran');
    const results = await settleAll<unknown>([failed, next]);
    expect(results[0]).toEqual({ status: 'rejected', reason: failure });
    expect(results[1]).toEqual({ status: 'fulfilled', value: 'next ran' });
    expect(limiter.active).toBe(0);
  });

  it('frees the slot when the write throws synchronously', async () => {
    const limiter = createWriteLimiter({ perSecond: 100, concurrency: 1 });
    const failed = limiter.run((() => {
      throw new TypeError('bad');
    }) as () => Promise<never>);
    const next = limiter.run(async () => 2);
    const results = await settleAll<unknown>([failed, next]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { name: 'TypeError' } });
    expect(results[1]).toEqual({ status: 'fulfilled', value: 2 });
  });
});

describe('createWriteLimiter: the Retry-After gate', () => {
  it('starts nothing while the gate is closed, and resumes when it opens', async () => {
    const gate = new RateLimitGate();
    const limiter = createWriteLimiter({ perSecond: 100, concurrency: 5, gate });
    const probe = instrumented();
    gate.closeFor(3_000);
    const t0 = Date.now();
    const all = Array.from({ length: 4 }, () => limiter.run(probe.write));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(probe.starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(probe.starts.map((t) => t - t0)).toEqual([3_000, 3_010, 3_020, 3_030]);
  });

  it('holds writes already waiting for their turn when a 429 closes the gate mid-run', async () => {
    const limiter = createWriteLimiter({ perSecond: 10, concurrency: 10 });
    const probe = instrumented();
    const t0 = Date.now();
    const all = Array.from({ length: 6 }, () => limiter.run(probe.write));
    await vi.advanceTimersByTimeAsync(150);
    expect(probe.starts.map((t) => t - t0)).toEqual([0, 100]);
    limiter.gate.closeFor(2_000); // what a 429 with Retry-After: 2 does, through callWorkOS
    await vi.advanceTimersByTimeAsync(2_000 - 1);
    expect(probe.starts).toHaveLength(2);
    await vi.runAllTimersAsync();
    await Promise.all(all);
    const after = probe.starts.slice(2).map((t) => t - t0);
    expect(after).toHaveLength(4);
    expect(after[0]).toBeGreaterThanOrEqual(2_150);
    expect(mostStartsInWindow(probe.starts, 1000)).toBeLessThanOrEqual(10);
  });

  it('one gate shared by two limiters pauses both', async () => {
    const gate = new RateLimitGate();
    const users = createWriteLimiter({ perSecond: 50, gate });
    const orgs = createWriteLimiter({ perSecond: 50, gate });
    expect(users.gate).toBe(gate);
    const probe = instrumented();
    gate.closeFor(1_000);
    const t0 = Date.now();
    const all = [users.run(probe.write), orgs.run(probe.write)];
    await vi.advanceTimersByTimeAsync(999);
    expect(probe.starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(all);
    expect(probe.starts.map((t) => t - t0)).toEqual([1_000, 1_000]);
  });
});

describe('createWriteLimiter: options', () => {
  it("defaults to WorkOS's documented write limit, spread evenly", () => {
    const limiter = createWriteLimiter();
    expect(DEFAULT_WRITES_PER_SECOND * 10).toBeLessThanOrEqual(500);
    expect(limiter.perSecond).toBe(DEFAULT_WRITES_PER_SECOND);
    expect(limiter.concurrency).toBe(DEFAULT_WRITE_CONCURRENCY);
    expect(limiter.gate.remainingMs()).toBe(0);
  });

  it.each([
    [{ perSecond: 0 }, 'perSecond'],
    [{ perSecond: -5 }, 'perSecond'],
    [{ perSecond: Number.NaN }, 'perSecond'],
    [{ perSecond: Number.POSITIVE_INFINITY }, 'perSecond'],
    [{ perSecond: '50' }, 'perSecond'],
    [{ perSecond: 2.5 }, 'perSecond'],
    [{ concurrency: 0 }, 'concurrency'],
    [{ concurrency: 2.5 }, 'concurrency'],
    [{ gate: {} }, 'gate'],
    [{ gate: { remainingMs: () => 0 } }, 'gate'],
    [{ rate: 10 }, ''],
  ])('refuses %o naming the key', (options, key) => {
    let caught: unknown;
    try {
      createWriteLimiter(options as never);
    } catch (error) {
      caught = error;
    }
    expect(isOrgkitError(caught) && caught.code).toBe('invalid_input');
    expect((caught as Error).message).toMatch(/^createWriteLimiter: /);
    expect((caught as Error).message).toContain(key);
  });

  it('refuses a run without a function', async () => {
    const limiter = createWriteLimiter();
    await expect(limiter.run('createUser' as never)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'WriteLimiter.run: expected a function',
    });
  });
});
