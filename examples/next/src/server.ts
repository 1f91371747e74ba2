// The clinic's Next.js server: `npm run example:next` (development), or after `npm run build`,
// `NODE_ENV=production npm start`. A custom server (Next's documented `next()` API) because
// two things must happen before Next loads a route:
// - the clinic starts here, as plain Node: its WorkOS emulator comes from orgkit/testing, whose
//   optional-peer `import(name)` Next's bundler cannot follow, and PGlite keeps one database per
//   process, which every route bundle must share;
// - AuthKit (@workos-inc/authkit-nextjs) reads its WorkOS settings from the environment when its
//   modules load, so they are set from the clinic first.

import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { startClinic } from '@orgkit-examples/clinic';
import { startOpenTelemetry } from '@orgkit-examples/clinic/otel';
import next from 'next';
import { CLINIC_SLOT } from '../lib/clinic-slot';

const dev = process.env.NODE_ENV !== 'production';
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`);
  process.exit(2);
}
const baseUrl = process.env.BASE_URL ?? `http://localhost:${port}`;

// Registered here rather than in `instrumentation.ts`: routes run in this process and orgkit
// reads the providers registered on globalThis, so every route bundle's copy reports to them.
// OTEL_TRACES_EXPORTER=console prints spans, OTEL_EXPORTER_OTLP_ENDPOINT sends them (and
// metrics) over OTLP; neither set, nothing starts.
const stopOpenTelemetry = await startOpenTelemetry({ serviceName: 'clinic-next' });

const dataDir = process.env.CLINIC_DATA_DIR;
if (dataDir) mkdirSync(dirname(dataDir), { recursive: true });
const clinic = await startClinic({
  baseUrl,
  databaseUrl: process.env.DATABASE_URL,
  dataDir,
  schema: process.env.CLINIC_SCHEMA,
  log: (line) => console.log(line),
});
(globalThis as Record<symbol, unknown>)[CLINIC_SLOT] = clinic;

// AuthKit's settings, from the clinic's WorkOS (the emulator's address in development).
const { emulator } = clinic;
Object.assign(process.env, {
  WORKOS_CLIENT_ID: clinic.clientId,
  WORKOS_REDIRECT_URI: clinic.redirectUri,
  WORKOS_COOKIE_PASSWORD: clinic.cookiePassword,
  ...(emulator && {
    WORKOS_API_KEY: emulator.apiKey,
    WORKOS_API_HOSTNAME: emulator.hostname,
    WORKOS_API_PORT: String(emulator.port),
    WORKOS_API_HTTPS: 'false',
  }),
});

// The example stays offline: no usage telemetry to Vercel.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const app = next({ dev, dir: join(import.meta.dirname, '..'), port, hostname: 'localhost' });
await app.prepare();
const handle = app.getRequestHandler();
const server = createServer((req, res) => {
  // The audit log's IP: the socket's, whatever the client claims. Behind a proxy of your own,
  // keep the header it sets instead.
  req.headers['x-forwarded-for'] = req.socket.remoteAddress;
  void handle(req, res);
});
server.listen(port, () => console.log(`Harbor Clinic (Next.js) on ${baseUrl}`));

async function shutdown() {
  server.close();
  await app.close();
  await clinic.close();
  await stopOpenTelemetry?.();
  process.exit(0);
}
process.once('SIGINT', shutdown).once('SIGTERM', shutdown);
