export type {
  ProgressReporter,
  ProgressReporterOptions,
  ProgressStream,
} from './progress-reporter.js';
export { createProgressReporter } from './progress-reporter.js';
export type { MigrationOutcome, OutcomeCounts } from './progress-text.js';
export type { WriteLimiter, WriteLimiterGate, WriteLimiterOptions } from './write-limiter.js';
export {
  createWriteLimiter,
  DEFAULT_WRITE_CONCURRENCY,
  DEFAULT_WRITES_PER_SECOND,
} from './write-limiter.js';
