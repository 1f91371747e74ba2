/** What became of one record of a migration. */
export type MigrationOutcome = 'created' | 'matched' | 'skipped' | 'failed';

export const MIGRATION_OUTCOMES = ['created', 'matched', 'skipped', 'failed'] as const;

/** Records so far, by outcome. */
export type OutcomeCounts = Record<MigrationOutcome, number>;

const count = (n: number) => n.toLocaleString('en-US');

/** `12s`, `2m 05s`, `1h 02m`: whole seconds, as an operator reads an ETA. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatRate(done: number, elapsedMs: number): string {
  return elapsedMs > 0 ? (done / (elapsedMs / 1000)).toFixed(1) : '0.0';
}

export function formatOutcomes(counts: OutcomeCounts): string {
  return MIGRATION_OUTCOMES.map((o) => `${count(counts[o])} ${o}`).join(', ');
}

export function doneOf(counts: OutcomeCounts): number {
  return MIGRATION_OUTCOMES.reduce((sum, o) => sum + counts[o], 0);
}

/** One plain progress line: done (of total), outcomes, rate and, with a total, the ETA. */
export function progressLine(counts: OutcomeCounts, elapsedMs: number, total?: number): string {
  const done = doneOf(counts);
  const rate = done / Math.max(elapsedMs / 1000, Number.EPSILON);
  const left = total === undefined ? undefined : Math.max(0, total - done);
  const of =
    total === undefined
      ? `${count(done)} records`
      : `${count(done)} of ${count(total)} records (${total > 0 ? Math.floor((done / total) * 100) : 100}%)`;
  const eta =
    left === undefined || done === 0 ? '' : `, ETA ${formatDuration((left / rate) * 1000)}`;
  return `progress: ${of}: ${formatOutcomes(counts)}; ${formatRate(done, elapsedMs)} records/s${eta}`;
}

/** The line printed when the run stops. */
export function summaryLine(counts: OutcomeCounts, elapsedMs: number): string {
  const done = doneOf(counts);
  return `summary: ${count(done)} records in ${formatDuration(elapsedMs)} (${formatRate(done, elapsedMs)} records/s): ${formatOutcomes(counts)}`;
}
