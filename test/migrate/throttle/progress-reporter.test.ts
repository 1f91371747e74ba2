import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isOrgkitError } from '../../../src/errors/index.js';
import {
  createProgressReporter,
  type MigrationOutcome,
} from '../../../src/migrate/throttle/index.js';

/** A stream that keeps what was written; a terminal when `isTTY`. */
function fakeStream(isTTY = false) {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 160,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    get text() {
      return chunks.join('');
    },
    get lines() {
      return chunks.join('').split('\n').filter(Boolean);
    },
  };
}

let savedCi: string | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_000 });
  savedCi = process.env.CI;
  delete process.env.CI;
});
afterEach(() => {
  vi.useRealTimers();
  if (savedCi === undefined) delete process.env.CI;
  else process.env.CI = savedCi;
});

const OUTCOMES: MigrationOutcome[] = ['created', 'matched', 'skipped', 'failed'];

describe('createProgressReporter: plain lines', () => {
  it('writes a line once the interval has passed, with counts, rate and ETA, then a summary', () => {
    const stream = fakeStream();
    const progress = createProgressReporter({ stream, total: 2_000, intervalMs: 10_000 });
    expect(progress.mode).toBe('lines');
    for (let i = 0; i < 40; i++) progress.tick('created');
    vi.advanceTimersByTime(9_999);
    progress.tick('matched');
    expect(stream.text).toBe('');
    vi.advanceTimersByTime(1);
    progress.tick('failed');
    // 42 records in 10 s: 4.2 a second, 1,958 left ≈ 466 s.
    expect(stream.lines).toEqual([
      'progress: 42 of 2,000 records (2%): 40 created, 1 matched, 0 skipped, 1 failed; 4.2 records/s, ETA 7m 46s',
    ]);
    vi.advanceTimersByTime(5_000);
    progress.tick('skipped');
    expect(stream.lines).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    progress.stop();
    expect(stream.lines).toEqual([
      'progress: 42 of 2,000 records (2%): 40 created, 1 matched, 0 skipped, 1 failed; 4.2 records/s, ETA 7m 46s',
      'summary: 43 records in 20s (2.1 records/s): 40 created, 1 matched, 1 skipped, 1 failed',
    ]);
  });

  it('writes a line every `everyRecords` records when they come faster than the interval', () => {
    const stream = fakeStream();
    const progress = createProgressReporter({ stream, everyRecords: 100 });
    for (let i = 0; i < 250; i++) {
      vi.advanceTimersByTime(10);
      progress.tick(i % 10 === 0 ? 'failed' : 'created');
    }
    expect(stream.lines).toEqual([
      'progress: 100 records: 90 created, 0 matched, 0 skipped, 10 failed; 100.0 records/s',
      'progress: 200 records: 180 created, 0 matched, 0 skipped, 20 failed; 100.0 records/s',
    ]);
  });

  it('property: lines never come closer than the interval unless `everyRecords` passed, and the summary adds up', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...OUTCOMES), fc.integer({ min: 0, max: 3_000 })), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 100 }),
        (ticks, intervalMs, everyRecords) => {
          const stream = fakeStream();
          const progress = createProgressReporter({ stream, intervalMs, everyRecords });
          const writtenAt: { at: number; done: number }[] = [];
          let done = 0;
          for (const [outcome, gapMs] of ticks) {
            vi.advanceTimersByTime(gapMs);
            const before = stream.lines.length;
            progress.tick(outcome);
            done++;
            if (stream.lines.length > before) writtenAt.push({ at: Date.now(), done });
          }
          progress.stop();
          let last = { at: 5_000_000, done: 0 };
          for (const line of writtenAt) {
            expect(line.at - last.at >= intervalMs || line.done - last.done >= everyRecords).toBe(
              true,
            );
            last = line;
          }
          const summary = stream.lines.at(-1)!;
          expect(summary).toMatch(new RegExp(`^summary: ${done.toLocaleString('en-US')} records`));
          for (const o of OUTCOMES) {
            const n = ticks.filter(([t]) => t === o).length;
            expect(summary).toContain(`${n.toLocaleString('en-US')} ${o}`);
          }
          expect(stream.lines).toHaveLength(writtenAt.length + 1);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never writes more after stop, and stop twice writes one summary', () => {
    const stream = fakeStream();
    const progress = createProgressReporter({ stream, everyRecords: 1 });
    progress.tick('created');
    progress.stop();
    progress.stop();
    progress.tick('created');
    expect(stream.lines).toHaveLength(2);
    expect(stream.lines[1]).toMatch(/^summary: 1 records/);
    expect(progress.counts.created).toBe(2);
  });
});

describe('createProgressReporter: choosing bar or lines', () => {
  it('draws a bar with rate and ETA on a terminal when CI is unset', () => {
    const stream = fakeStream(true);
    const progress = createProgressReporter({ stream, total: 10 });
    expect(progress.mode).toBe('bar');
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(500);
      progress.tick('created');
    }
    vi.advanceTimersByTime(1_000);
    progress.stop();
    expect(stream.text).toContain('40% | 4/10 records | 2.0 records/s | ETA 3s');
    expect(stream.text).toContain('4 created, 0 matched, 0 skipped, 0 failed');
    expect(stream.text).toContain('\u2588'); // the bar itself
    expect(stream.lines.at(-1)).toBe(
      'summary: 4 records in 3s (1.3 records/s): 4 created, 0 matched, 0 skipped, 0 failed',
    );
    expect(stream.text).not.toContain('progress: ');
  });

  it('shows a count and rate without a bar when the total is unknown', () => {
    const stream = fakeStream(true);
    const progress = createProgressReporter({ stream });
    vi.advanceTimersByTime(1_000);
    progress.tick('matched');
    vi.advanceTimersByTime(1_000);
    progress.stop();
    expect(stream.text).toContain('1 records | 1.0 records/s | 0 created, 1 matched');
    expect(stream.text).not.toContain('ETA');
  });

  it.each(['true', '1', 'github-actions'])('writes plain lines on a terminal when CI=%s', (ci) => {
    process.env.CI = ci;
    const stream = fakeStream(true);
    const progress = createProgressReporter({ stream, everyRecords: 1 });
    expect(progress.mode).toBe('lines');
    progress.tick('created');
    expect(stream.lines[0]).toMatch(/^progress: 1 records/);
    expect(stream.text).not.toContain('\u001b');
    progress.stop();
  });

  it.each(['false', '0', ''])('still draws the bar when CI=%s', (ci) => {
    process.env.CI = ci;
    const progress = createProgressReporter({ stream: fakeStream(true) });
    expect(progress.mode).toBe('bar');
    progress.stop();
  });

  it('writes plain lines on a terminal when asked to', () => {
    const progress = createProgressReporter({ stream: fakeStream(true), plain: true });
    expect(progress.mode).toBe('lines');
    progress.stop();
  });

  it('writes plain lines when the stream is not a terminal', () => {
    expect(createProgressReporter({ stream: fakeStream(false) }).mode).toBe('lines');
  });
});

describe('createProgressReporter: input', () => {
  it.each([
    [{}, 'stream'],
    [{ stream: {} }, 'stream'],
    [{ stream: fakeStream(), total: -1 }, 'total'],
    [{ stream: fakeStream(), total: 1.5 }, 'total'],
    [{ stream: fakeStream(), intervalMs: 0 }, 'intervalMs'],
    [{ stream: fakeStream(), everyRecords: 0 }, 'everyRecords'],
    [{ stream: fakeStream(), plain: 'yes' }, 'plain'],
    [{ stream: fakeStream(), email: 'a@b.c' }, ''],
  ])('refuses %o naming the key', (options, key) => {
    let caught: unknown;
    try {
      createProgressReporter(options as never);
    } catch (error) {
      caught = error;
    }
    expect(isOrgkitError(caught) && caught.code).toBe('invalid_input');
    expect((caught as Error).message).toMatch(/^createProgressReporter: /);
    expect((caught as Error).message).toContain(key);
  });

  it('refuses an outcome it does not know and counts nothing for it', () => {
    const progress = createProgressReporter({ stream: fakeStream() });
    let caught: unknown;
    try {
      progress.tick('ada@example.com' as never);
    } catch (error) {
      caught = error;
    }
    expect(isOrgkitError(caught) && caught.code).toBe('invalid_input');
    // A caller that passes personal data by mistake does not get it printed back.
    expect((caught as Error).message).not.toContain('ada@');
    expect(progress.counts).toEqual({ created: 0, matched: 0, skipped: 0, failed: 0 });
  });
});
