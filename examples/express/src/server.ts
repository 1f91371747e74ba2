import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startClinic } from '@orgkit-examples/clinic';
import { startOpenTelemetry } from '@orgkit-examples/clinic/otel';
import { createClinicApp } from './app.js';
import { CLERK_SAMPLE_PEOPLE, describeClerkImport, importClerkSample } from './clerk-import.js';

// Development: the app's own URL is localhost (AuthKit's callback must name it).
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`);
  process.exit(2);
}
const baseUrl = process.env.BASE_URL ?? `http://localhost:${port}`;

// PGlite on disk (`CLINIC_DATA_DIR`) keeps the data across restarts; PGlite makes only the last folder.
const dataDir = process.env.CLINIC_DATA_DIR || undefined;
if (dataDir) mkdirSync(dirname(dataDir), { recursive: true });

// Before the clinic starts, so its start-up is traced too: OTEL_TRACES_EXPORTER=console prints
// spans, OTEL_EXPORTER_OTLP_ENDPOINT sends them (and metrics) over OTLP; else nothing starts.
const stopOpenTelemetry = await startOpenTelemetry({ serviceName: 'clinic-express' });

const clinic = await startClinic({
  baseUrl,
  databaseUrl: process.env.DATABASE_URL,
  dataDir,
  log: (line) => console.log(line),
});

// `--import-clerk`: the sample Clerk export, migrated into this app's WorkOS and database.
// Emulator only: the sample's people are made up, and do not belong in a real WorkOS environment.
const importClerk = process.argv.includes('--import-clerk');
if (importClerk) {
  try {
    if (!clinic.emulator) throw new Error('the sample is imported only into the WorkOS emulator');
    const summary = await importClerkSample({ workos: clinic.workos, database: clinic.db });
    for (const line of describeClerkImport(summary)) console.log(line);
    // The import wrote users and roles; the memberships reach the mirror from the Events API.
    await clinic.orgkit.syncWorkOSEvents();
  } catch (error) {
    console.error(`Clerk import: ${error instanceof Error ? error.message : String(error)}`);
    await clinic.close();
    await stopOpenTelemetry?.();
    process.exit(1);
  }
}

const app = createClinicApp(clinic, { morePeople: importClerk ? CLERK_SAMPLE_PEOPLE : [] });
const server = app.listen(port, () => {
  console.log(`Express clinic on ${baseUrl}`);
});

async function shutDown() {
  server.close();
  server.closeAllConnections();
  await clinic.close();
  await stopOpenTelemetry?.();
  process.exit(0);
}
process.once('SIGINT', shutDown);
process.once('SIGTERM', shutDown);
