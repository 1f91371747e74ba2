import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startClinic } from '@orgkit-examples/clinic';
import { createClinicApp } from './app.js';
import { describeClerkImport, importClerkSample } from './clerk-import.js';

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

const clinic = await startClinic({
  baseUrl,
  databaseUrl: process.env.DATABASE_URL,
  dataDir,
  log: (line) => console.log(line),
});

// `--import-clerk`: the sample Clerk export, migrated into this app's WorkOS and database.
if (process.argv.includes('--import-clerk')) {
  const summary = await importClerkSample({ workos: clinic.workos, database: clinic.db });
  for (const line of describeClerkImport(summary)) console.log(line);
  // The import wrote users and roles; the memberships reach the mirror from the Events API.
  await clinic.orgkit.syncWorkOSEvents();
}

const server = createClinicApp(clinic).listen(port, () => {
  console.log(`Express clinic on ${baseUrl}`);
});

async function shutDown() {
  server.close();
  server.closeAllConnections();
  await clinic.close();
  process.exit(0);
}
process.once('SIGINT', shutDown);
process.once('SIGTERM', shutDown);
