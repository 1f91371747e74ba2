import type { Attributes, Counter, Gauge, Histogram, Meter } from '@opentelemetry/api';
import { type CounterName, type GaugeName, type HistogramName, METRIC } from './names.js';

const COUNTERS: Record<CounterName, string> = {
  [METRIC.decisions]: 'Access decisions of route guards, by outcome and reason',
  [METRIC.signIns]: 'Sign-ins completed or failed, by outcome',
  [METRIC.refreshes]: 'Session refreshes, by outcome',
  [METRIC.guestProvisionings]: 'Guest provisionings, by result (created, returning, rate_limited)',
  [METRIC.workosCalls]: 'Requests to the WorkOS API, by operation and HTTP status',
  [METRIC.auditEvents]: 'Audit events written, by action',
  [METRIC.jwksFetches]: "Reads of WorkOS's JWKS, by outcome",
};

const HISTOGRAMS: Record<HistogramName, string> = {
  [METRIC.verifyDuration]: 'Time to verify an access token',
  [METRIC.accessDuration]: "Time to resolve a user's roles and permissions",
  [METRIC.auditWriteDuration]: 'Time to write audit events',
};

// Set where orgkit already reads the value (an outbox drain, an Events API page), not by a
// callback: a callback would need a database connection at collection time, which per-request
// setups (Workers) do not have.
const GAUGES: Record<GaugeName, { description: string; unit: string }> = {
  [METRIC.outboxDepth]: {
    description: 'Audit events waiting in the WorkOS outbox after the last drain',
    unit: '{event}',
  },
  [METRIC.outboxOldestAge]: {
    description: 'Age of the oldest event in the WorkOS outbox after the last drain',
    unit: 's',
  },
  [METRIC.mirrorLag]: {
    description:
      'Seconds between the newest WorkOS event of the last Events API page and its applying to the mirror',
    unit: 's',
  },
};

// Most of these take milliseconds: the SDK's default buckets start at 5 (seconds).
const SECONDS_BUCKETS = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** orgkit's counters and histograms on one meter, made once per meter provider. @internal */
export interface Instruments {
  count(name: CounterName, attributes?: Attributes, value?: number): void;
  /** Records the time since `startedAt` (from `performance.now()`), in seconds. */
  seconds(name: HistogramName, startedAt: number, attributes?: Attributes): void;
  /** Sets a gauge to its current value. */
  gauge(name: GaugeName, value: number, attributes?: Attributes): void;
}

/** @internal */
export function createInstruments(meter: Meter): Instruments {
  const counters = new Map<string, Counter>();
  const histograms = new Map<string, Histogram>();
  for (const [name, description] of Object.entries(COUNTERS)) {
    counters.set(name, meter.createCounter(name, { description, unit: '{count}' }));
  }
  for (const [name, description] of Object.entries(HISTOGRAMS)) {
    histograms.set(
      name,
      meter.createHistogram(name, {
        description,
        unit: 's',
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      }),
    );
  }
  const gauges = new Map<string, Gauge>();
  // Synchronous gauges came with @opentelemetry/api 1.9; an older SDK's meter lacks them.
  if (typeof meter.createGauge === 'function') {
    for (const [name, { description, unit }] of Object.entries(GAUGES)) {
      gauges.set(name, meter.createGauge(name, { description, unit }));
    }
  }
  return {
    count: (name, attributes, value = 1) => counters.get(name)?.add(value, attributes),
    gauge: (name, value, attributes) => gauges.get(name)?.record(value, attributes),
    seconds: (name, startedAt, attributes) =>
      histograms.get(name)?.record((performance.now() - startedAt) / 1000, attributes),
  };
}

/** @internal */
export const NO_INSTRUMENTS: Instruments = {
  count: () => undefined,
  seconds: () => undefined,
  gauge: () => undefined,
};
