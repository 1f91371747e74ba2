import { serve } from '@hono/node-server';
import { startClinic } from '@orgkit-examples/clinic';
import { startOpenTelemetry } from '@orgkit-examples/clinic/otel';
import { createApp } from './app.js';

// First, so the clinic's start-up is traced too: OTEL_TRACES_EXPORTER=console prints spans,
// OTEL_EXPORTER_OTLP_ENDPOINT sends them (and metrics) over OTLP; neither set, nothing starts.
const stopOpenTelemetry = await startOpenTelemetry({ serviceName: 'clinic-hono' });

const port = Number(process.env.PORT ?? 3000);
const baseUrl = process.env.BASE_URL ?? `http://localhost:${port}`;
const clinic = await startClinic({
  baseUrl,
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.CLINIC_DATA_DIR,
  schema: process.env.CLINIC_SCHEMA,
  log: (line) => console.log(line),
});
const server = serve({ fetch: createApp(clinic).fetch, port }, () => {
  console.log(`Harbor Clinic (Hono) on ${baseUrl}`);
  for (const person of clinic.demoPeople)
    console.log(`  sign in as ${person.email} (${person.role})`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  await clinic.close();
  await stopOpenTelemetry?.();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
