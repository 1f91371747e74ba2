/**
 * The example apps' OpenTelemetry set-up, as an app would register its own: orgkit needs nothing
 * more, it reports through whatever providers are registered. Driven by OpenTelemetry's standard
 * variables, so it stays off unless asked for:
 *
 * - `OTEL_TRACES_EXPORTER=console`: spans printed to the console;
 * - `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318` (or `OTEL_TRACES_EXPORTER=otlp`): spans
 *   and metrics sent over OTLP/HTTP (JSON) to a collector, Jaeger, Grafana…;
 * - `OTEL_METRICS_EXPORTER` (`otlp`, `console`, `none`), `OTEL_SERVICE_NAME`,
 *   `OTEL_SDK_DISABLED=true` as the specification defines them.
 *
 * Imported by a server before it handles requests; the function it returns flushes and stops.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

type Exporter = 'console' | 'otlp';
const EXPORTERS: readonly string[] = ['console', 'otlp', 'none'];

/** Options of {@link startOpenTelemetry}. */
export interface StartOpenTelemetryOptions {
  /** `service.name` unless `OTEL_SERVICE_NAME` says otherwise. */
  serviceName: string;
  /**
   * The traces exporter when the environment names none and no OTLP endpoint is set
   * (`npm run demo -- --otel` prints spans). @default none: nothing is started
   */
  fallback?: Exporter;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Flushes what is buffered and stops the providers; safe to call once at shutdown. */
export type StopOpenTelemetry = () => Promise<void>;

/**
 * Registers a tracer provider (and a meter provider for OTLP or console metrics) when the
 * environment asks for one; returns `undefined`, registering nothing, when it does not.
 */
export async function startOpenTelemetry(
  options: StartOpenTelemetryOptions,
): Promise<StopOpenTelemetry | undefined> {
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const otlpEndpoint = Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  );
  const traces = exportersFrom(
    'OTEL_TRACES_EXPORTER',
    env.OTEL_TRACES_EXPORTER,
    otlpEndpoint ? 'otlp' : options.fallback,
  );
  // Metrics only where they have somewhere to go: printing them every minute next to the
  // spans of `OTEL_TRACES_EXPORTER=console` would bury the spans.
  const metricExporters = exportersFrom(
    'OTEL_METRICS_EXPORTER',
    env.OTEL_METRICS_EXPORTER,
    otlpEndpoint ? 'otlp' : undefined,
  );
  if (traces.length === 0 && metricExporters.length === 0) return undefined;

  const resource = resourceFromAttributes({ 'service.name': options.serviceName }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: await Promise.all(traces.map(spanProcessor)),
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({
    resource,
    readers: (await Promise.all(metricExporters.map(metricExporter))).map(
      (exporter) => new PeriodicExportingMetricReader({ exporter }),
    ),
  });
  metrics.setGlobalMeterProvider(meterProvider);

  return async () => {
    // A collector that went away must not keep the app from exiting: say so and go on.
    const results = await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    for (const result of results) {
      if (result.status === 'rejected') {
        console.error(`OpenTelemetry: flushing at shutdown failed (${String(result.reason)})`);
      }
    }
  };
}

/** The exporters a variable names (`console,otlp`), or the fallback when it is unset. */
function exportersFrom(name: string, value: string | undefined, fallback?: Exporter): Exporter[] {
  const named = (value ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
  if (named.length === 0) return fallback ? [fallback] : [];
  const unknown = named.find((part) => !EXPORTERS.includes(part));
  if (unknown) throw new Error(`${name}: "${unknown}" is not one of ${EXPORTERS.join(', ')}`);
  return named.includes('none') ? [] : [...new Set(named as Exporter[])];
}

async function spanProcessor(exporter: Exporter): Promise<SpanProcessor> {
  if (exporter === 'console') return new SimpleSpanProcessor(new ConsoleSpanExporter());
  // Loaded only on this path; it reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS itself.
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new BatchSpanProcessor(new OTLPTraceExporter());
}

async function metricExporter(exporter: Exporter): Promise<PushMetricExporter> {
  if (exporter === 'console') return new ConsoleMetricExporter();
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
  return new OTLPMetricExporter();
}
