import cliProgress from 'cli-progress';
import * as z from 'zod';
import { parseInput } from '../../errors/index.js';
import {
  doneOf,
  formatRate,
  MIGRATION_OUTCOMES,
  type MigrationOutcome,
  type OutcomeCounts,
  progressLine,
  summaryLine,
} from './progress-text.js';

/** Where progress goes: `process.stderr` in the CLI. */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** True on a terminal: a live bar is drawn instead of lines. */
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  stream: ProgressStream;
  /** Records expected; with it the output has a percentage and an ETA. */
  total?: number;
  /** Plain lines even on a terminal. @default false */
  plain?: boolean;
  /** Plain mode: a line once this long has passed since the last. @default 10000 */
  intervalMs?: number;
  /** Plain mode: a line once this many records have been counted since the last. @default 1000 */
  everyRecords?: number;
}

/** Counts outcomes and shows them; it never sees an email, a name or a secret. */
export interface ProgressReporter {
  /** `bar` on a terminal outside CI, else `lines`. */
  readonly mode: 'bar' | 'lines';
  /** Counts one record's outcome. */
  tick(outcome: MigrationOutcome): void;
  /** Ends the bar (or the lines) and writes the summary line. Later calls do nothing. */
  stop(): void;
  readonly counts: Readonly<OutcomeCounts>;
}

const streamSchema = z.custom<ProgressStream>(
  (v) => typeof (v as ProgressStream | null)?.write === 'function',
  'expected a writable stream',
);
const optionsSchema = z.strictObject({
  stream: streamSchema,
  total: z.number().int().min(0).optional(),
  plain: z.boolean().optional(),
  intervalMs: z.number().int().positive().optional(),
  everyRecords: z.number().int().positive().optional(),
});
const outcomeSchema = z.enum(MIGRATION_OUTCOMES);

/** CI services set `CI` (to `true`, `1` or a name); `false` and `0` mean it is not CI. */
function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Shows a migration's progress: on a terminal (and `CI` unset) a bar with rate and ETA,
 * otherwise a plain line every `intervalMs` or `everyRecords` records, whichever comes first;
 * a summary line at the end either way.
 *
 * @example
 * ```ts
 * const progress = createProgressReporter({ stream: process.stderr, total: records })
 * progress.tick('created')
 * progress.stop() // summary: 2,000 records in 2m 11s (15.3 records/s): 1,950 created, …
 * ```
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const o = parseInput(optionsSchema, options, 'createProgressReporter');
  const counts: OutcomeCounts = { created: 0, matched: 0, skipped: 0, failed: 0 };
  const startedAt = Date.now();
  const elapsed = () => Date.now() - startedAt;
  const mode = o.stream.isTTY === true && !o.plain && !inCi() ? 'bar' : 'lines';
  const view =
    mode === 'bar' ? barView(o.stream, o.total, counts, elapsed) : linesView(o, counts, elapsed);
  let stopped = false;
  return {
    mode,
    tick(outcome) {
      counts[parseInput(outcomeSchema, outcome, 'ProgressReporter.tick')]++;
      if (!stopped) view.update();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      view.stop();
      o.stream.write(`${summaryLine(counts, elapsed())}\n`);
    },
    counts,
  };
}

interface View {
  update(): void;
  stop(): void;
}

function linesView(
  o: { stream: ProgressStream; total?: number; intervalMs?: number; everyRecords?: number },
  counts: OutcomeCounts,
  elapsed: () => number,
): View {
  const intervalMs = o.intervalMs ?? 10_000;
  const everyRecords = o.everyRecords ?? 1_000;
  let lastAt = 0;
  let lastDone = 0;
  return {
    update() {
      const now = elapsed();
      const done = doneOf(counts);
      if (now - lastAt < intervalMs && done - lastDone < everyRecords) return;
      lastAt = now;
      lastDone = done;
      o.stream.write(`${progressLine(counts, now, o.total)}\n`);
    },
    stop() {},
  };
}

function barView(
  stream: ProgressStream,
  total: number | undefined,
  counts: OutcomeCounts,
  elapsed: () => number,
): View {
  const outcomes = '{created} created, {matched} matched, {skipped} skipped, {failed} failed';
  const format =
    total === undefined
      ? `{value} records | {rate} records/s | ${outcomes}`
      : `{bar} {percentage}% | {value}/{total} records | {rate} records/s | ETA {eta_formatted} | ${outcomes}`;
  const bar = new cliProgress.SingleBar(
    {
      // cli-progress only writes to the stream; the narrow type is all it uses.
      stream: stream as NodeJS.WritableStream,
      format,
      fps: 5,
      etaBuffer: 200,
      hideCursor: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = () => ({ ...counts, rate: formatRate(doneOf(counts), elapsed()) });
  bar.start(total ?? 0, 0, payload());
  return {
    update: () => bar.update(doneOf(counts), payload()),
    stop: () => bar.stop(),
  };
}
