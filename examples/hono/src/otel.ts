/**
 * `npm run demo -- --otel`: the app's OpenTelemetry set-up, as an app would register it. orgkit
 * needs nothing more: it reports through whatever providers are registered. Spans are printed
 * to the console; with OTEL_EXPORTER_OTLP_ENDPOINT set they go there over OTLP/HTTP instead
 * (this needs @opentelemetry/exporter-trace-otlp-http installed).
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

async function exporter(): Promise<SpanExporter> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return new ConsoleSpanExporter();
  // A variable specifier: the package is optional, and only this branch needs it.
  const name = '@opentelemetry/exporter-trace-otlp-http';
  const { OTLPTraceExporter } = (await import(name)) as {
    OTLPTraceExporter: new () => SpanExporter;
  };
  return new OTLPTraceExporter();
}

/** Registers a tracer provider; returns what flushes and stops it. */
export async function startOpenTelemetry(): Promise<() => Promise<void>> {
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(await exporter())],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return () => provider.shutdown();
}
