import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * The app's OpenTelemetry set-up, as an app registers it (global providers, an async context
 * manager), exporting to memory. `uninstall` takes it all down again.
 */
export function installOpenTelemetry() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    /** The metrics as the SDK would export them now. */
    async metrics(): Promise<ResourceMetrics> {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics;
    },
    /** An app's own span (an HTTP server span) around `fn`. */
    inAppSpan: <T>(name: string, fn: () => Promise<T>) =>
      trace.getTracer('app').startActiveSpan(name, (span) => fn().finally(() => span.end())),
    async uninstall() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}

export type InstalledOpenTelemetry = ReturnType<typeof installOpenTelemetry>;

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/**
 * The spans under `root` as indented lines, children in start order, each `name key=value` for
 * the attributes in `show`.
 */
export function spanTree(
  spans: readonly ReadableSpan[],
  root: ReadableSpan,
  show: readonly string[] = [],
): string[] {
  const lines: string[] = [];
  const walk = (span: ReadableSpan, depth: number) => {
    const shown = show
      .filter((key) => span.attributes[key] !== undefined)
      .map((key) => ` ${key}=${String(span.attributes[key])}`)
      .join('');
    lines.push(`${'  '.repeat(depth)}${span.name}${shown}`);
    const children = spans
      .filter((s) => parentOf(s) === span.spanContext().spanId)
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    for (const child of children) walk(child, depth + 1);
  };
  walk(root, 0);
  return lines;
}

/** The one finished span called `name`, failing when there is not exactly one. */
export function onlySpan(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name} span, found ${found.length}`);
  return found[0]!;
}

/** A counter's value summed over the data points whose attributes include `where`. */
export function counterValue(
  resourceMetrics: ResourceMetrics,
  name: string,
  where: Record<string, string | number | boolean> = {},
): number {
  let total = 0;
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        const matches = Object.entries(where).every(([k, v]) => point.attributes[k] === v);
        if (matches) total += point.value as number;
      }
    }
  }
  return total;
}

/** How many values a histogram recorded. */
export function histogramCount(resourceMetrics: ResourceMetrics, name: string): number {
  let total = 0;
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) total += (point.value as { count: number }).count;
    }
  }
  return total;
}

/** A gauge's last values, one per data point. */
export function gaugeValues(resourceMetrics: ResourceMetrics, name: string): number[] {
  const values: number[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) values.push(point.value as number);
    }
  }
  return values;
}
