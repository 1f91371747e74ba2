import { serve } from '@hono/node-server';
import { startClinic } from '@orgkit-examples/clinic';
import { createApp } from './app.js';

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
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
