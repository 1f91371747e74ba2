/**
 * `npm run demo`: the whole clinic flow, headless and offline, against this Hono app in-process
 * (`app.request`, no server), on the WorkOS emulator and PGlite in memory. Exit 0 when every step
 * passed, 1 otherwise. With `--serve`, the same app then stays up on http://localhost:3000
 * (`PORT`) with the demo's data, for a person to click through. With `--otel`, orgkit's spans are
 * printed (or sent to OTEL_EXPORTER_OTLP_ENDPOINT), see examples/clinic/src/otel.ts.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { startClinic } from '@orgkit-examples/clinic';
import { startOpenTelemetry } from '@orgkit-examples/clinic/otel';
import { createApp } from './app.js';
import { runDemoFlow } from './demo/run-demo.js';

export { runDemoFlow } from './demo/run-demo.js';

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  out?: (line: string) => void;
  /** Keep serving the app after the flow (until SIGINT/SIGTERM). @default false */
  serve?: boolean;
  /** @default 3000 */
  port?: number;
  /**
   * Postgres instead of PGlite in memory: the demo works in a schema of its own
   * (`orgkit_demo_<random>`), dropped when the clinic closes.
   */
  databaseUrl?: string | undefined;
}

/** Starts the clinic, runs the flow, then closes it (or serves it with `serve`). */
export async function runDemo(options: RunDemoOptions = {}): Promise<boolean> {
  const out = options.out ?? ((line: string) => console.log(line));
  const port = options.port ?? 3000;
  const baseUrl = `http://localhost:${port}`;
  // Always the WorkOS emulator, whatever WorkOS the shell points at; the database is PGlite
  // unless a Postgres URL is given.
  const schema = options.databaseUrl ? `orgkit_demo_${randomBytes(6).toString('hex')}` : undefined;
  const clinic = await startClinic({
    baseUrl,
    env: {},
    ...(options.databaseUrl
      ? { databaseUrl: options.databaseUrl, schema, dropSchemaOnClose: true }
      : {}),
  });
  const started = [
    clinic.emulator && `WorkOS emulator at ${clinic.emulator.url}`,
    schema ? `Postgres (schema ${schema}, dropped afterwards)` : 'PGlite in memory',
  ];
  out(
    `orgkit demo: the Harbor Clinic example (Hono) in-process; ${started.filter(Boolean).join(', ')}\n`,
  );
  const app = createApp(clinic);
  let ok = false;
  try {
    ok = await runDemoFlow(clinic, app, out);
  } finally {
    if (!options.serve || !ok) await clinic.close();
  }
  if (options.serve && ok) {
    const server = serve({ fetch: app.fetch, port }, () => {
      out(`\nServing the clinic on ${baseUrl} (Ctrl-C to stop). Sign in as:`);
      for (const p of clinic.demoPeople) out(`  ${p.email} (${p.role})`);
    });
    await new Promise<void>((resolve) => {
      const stop = () => server.close(() => resolve());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await clinic.close();
  }
  return ok;
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean' },
      otel: { type: 'boolean' },
      'database-url': { type: 'string' },
    },
    strict: false,
  });
  const unknown = Object.keys(values).filter(
    (k) => k !== 'serve' && k !== 'otel' && k !== 'database-url',
  );
  if (
    unknown.length > 0 ||
    (values['database-url'] !== undefined && typeof values['database-url'] !== 'string')
  ) {
    console.error(
      `demo: unknown option ${unknown[0] ?? 'database-url'} (--serve, --otel, --database-url URL)`,
    );
    process.exit(2);
  }
  // Without --otel, the environment still decides (OTEL_TRACES_EXPORTER, OTLP endpoint).
  const stopOpenTelemetry = await startOpenTelemetry({
    serviceName: 'clinic-demo',
    ...(values.otel === true && { fallback: 'console' as const }),
  });
  const ok = await runDemo({
    serve: values.serve === true,
    port: process.env.PORT ? Number(process.env.PORT) : 3000,
    databaseUrl: values['database-url'] as string | undefined,
  });
  await stopOpenTelemetry?.();
  process.exit(ok ? 0 : 1);
}
