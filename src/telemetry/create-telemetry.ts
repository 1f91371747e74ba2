import type { Attributes, MeterProvider, Span, TracerProvider } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';
import { hmacSha256Hex } from './hmac-sha256.js';
import { createInstruments, type Instruments, NO_INSTRUMENTS } from './instruments.js';
import { ATTR } from './names.js';
import type { ParsedTelemetryOptions } from './options.js';
import { openTelemetryGlobal } from './registry.js';
import { NO_SPAN, runInSpan, SPAN_KIND } from './span-runner.js';
import { ORGKIT_VERSION } from './version.js';

/** What orgkit records through, while the app has an OpenTelemetry SDK registered. @internal */
export interface Recorder extends Instruments {
  /**
   * Runs `fn` in a new active span (a child of the current one), ended when `fn` returns or its
   * promise settles; an error fails the span with its `OrgkitError` code and is passed on.
   */
  span<T>(
    name: string,
    attributes: Attributes | undefined,
    fn: (span: Span) => T,
    kind?: (typeof SPAN_KIND)[keyof typeof SPAN_KIND],
  ): T;
  /** `user.id` and `orgkit.organization.id` as the `ids` option allows (kept, hashed, or none). */
  ids(userId: string | undefined, organizationId?: string | null): Attributes;
  /** Whether `client.address` may be recorded (the `clientIp` option). */
  readonly clientIp: boolean;
}

/**
 * The one handle capabilities hold. `recorder()` costs one property read when no SDK is
 * registered (and nothing at all with `telemetry: false`): callers ask it first and build no
 * attributes, take no times and start no spans when it answers `undefined`.
 * @internal
 */
export interface Telemetry {
  recorder(): Recorder | undefined;
}

/** Telemetry that never records: `telemetry: false`, and capabilities built outside createOrgkit. @internal */
export const TELEMETRY_OFF: Telemetry = { recorder: () => undefined };

function idPolicy(options: Exclude<ParsedTelemetryOptions, false>) {
  if (options.ids === 'keep') return (id: string) => id;
  if (options.ids === 'drop') return () => undefined;
  const key = options.idHashKey as string;
  // Ids repeat request after request; each is hashed once while it stays in this cache.
  const hashed = new LRUCache<string, string>({ max: 10_000 });
  return (id: string) => {
    let hash = hashed.get(id);
    if (hash === undefined) {
      hash = hmacSha256Hex(key, id).slice(0, 32);
      hashed.set(id, hash);
    }
    return hash;
  };
}

/**
 * Builds an instance's telemetry. It follows the app's global providers as they are registered
 * (or replaced) after `createOrgkit`, under the tracer and meter name `orgkit`.
 * @internal
 */
export function createTelemetry(options: ParsedTelemetryOptions): Telemetry {
  if (options === false) return TELEMETRY_OFF;
  const idOf = idPolicy(options);
  const ids = (userId: string | undefined, organizationId?: string | null): Attributes => {
    const attributes: Attributes = {};
    const user = userId && idOf(userId);
    if (user) attributes[ATTR.userId] = user;
    const org = organizationId && idOf(organizationId);
    if (org) attributes[ATTR.organizationId] = org;
    return attributes;
  };

  let traceProvider: TracerProvider | undefined;
  let meterProvider: MeterProvider | undefined;
  let current: Recorder | undefined;
  const build = (trace?: TracerProvider, metrics?: MeterProvider): Recorder => {
    traceProvider = trace;
    meterProvider = metrics;
    const tracer = trace?.getTracer('orgkit', ORGKIT_VERSION);
    const instruments = metrics
      ? createInstruments(metrics.getMeter('orgkit', ORGKIT_VERSION))
      : NO_INSTRUMENTS;
    return {
      ...instruments,
      span: (name, attributes, fn, kind = SPAN_KIND.internal) =>
        tracer ? runInSpan(tracer, name, attributes, kind, fn) : fn(NO_SPAN),
      ids,
      clientIp: options.clientIp,
    };
  };

  return {
    recorder() {
      const registered = openTelemetryGlobal();
      if (registered === undefined) return undefined;
      const { trace, metrics } = registered;
      if (trace === undefined && metrics === undefined) return undefined;
      if (current === undefined || trace !== traceProvider || metrics !== meterProvider) {
        current = build(trace, metrics);
      }
      return current;
    },
  };
}

const TELEMETRY = Symbol('orgkit.telemetry');

/** Gives an orgkit instance its telemetry, for the HTTP layer to find. @internal */
export function attachTelemetry<T extends object>(instance: T, telemetry: Telemetry): T {
  Object.defineProperty(instance, TELEMETRY, { value: telemetry });
  return instance;
}

/** The telemetry of an orgkit instance (none for an object createOrgkit did not make). @internal */
export function telemetryOf(instance: object): Telemetry {
  return (instance as { [TELEMETRY]?: Telemetry })[TELEMETRY] ?? TELEMETRY_OFF;
}

/**
 * Runs `fn` in a span when an SDK is registered, else just runs it: for operations off the hot
 * path (webhooks, syncs, migrations, preference writes), where a closure per call is no cost.
 * `describe` turns the result into attributes (counts, outcomes; never content).
 * @internal
 */
export function traced<T>(
  telemetry: Telemetry | undefined,
  name: string,
  attributes: Attributes | undefined,
  fn: () => Promise<T>,
  describe?: (result: T) => Attributes,
): Promise<T> {
  const recorder = telemetry?.recorder();
  if (recorder === undefined) return fn();
  return recorder.span(name, attributes, async (span) => {
    const result = await fn();
    if (describe) span.setAttributes(describe(result));
    return result;
  });
}
