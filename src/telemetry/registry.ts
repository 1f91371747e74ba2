import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/**
 * What `@opentelemetry/api` 1.x keeps on `globalThis` once an SDK registers its providers
 * (`trace.setGlobalTracerProvider`, `metrics.setGlobalMeterProvider`, which the Node SDK,
 * `@vercel/otel` and the Workers SDKs all call). Every copy of the API reads providers from
 * here; that is how two copies in one app (the app's, Next.js's bundled one) share them.
 * @internal
 */
export interface OpenTelemetryGlobal {
  version?: string;
  trace?: TracerProvider;
  metrics?: MeterProvider;
}

// The key the API itself uses: one per major version, so a future 2.x never answers here.
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');
const registry = globalThis as { [GLOBAL_KEY]?: OpenTelemetryGlobal };

/**
 * The app's registered OpenTelemetry providers, or `undefined` when no SDK was set up: one
 * property read, with nothing imported. Reading the registry rather than importing the API
 * keeps the optional peer optional in every bundle (Workers, Next.js, Deno), where an import
 * orgkit cannot resolve would either fail or need an `await` before the first request.
 * @internal
 */
export function openTelemetryGlobal(): OpenTelemetryGlobal | undefined {
  return registry[GLOBAL_KEY];
}
