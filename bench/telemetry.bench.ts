// What orgkit's OpenTelemetry instrumentation costs. Three orgkit instances in one process, same
// database and token: `telemetry: false`; telemetry on with @opentelemetry/api installed but no
// SDK registered (the default for an app without OpenTelemetry); and, after an SDK is registered
// (tracer and meter providers, spans sent to an exporter that drops them), the same instance
// again. Measured: a Hono protected route through app.request() (Bearer token, verified-token
// cache, requireRole from the role cache) and getAccess answered from the role cache.
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { Hono } from 'hono';
import { createHonoAuth } from '../src/adapters/hono/index.js';
import { createOrgkit, defaultAccessControl } from '../src/index.js';
import { createTestDatabase } from '../src/testing/database.js';
import { createTestTokenIssuer } from '../src/testing/token-issuer.js';
import { machineLine, p50ByPath, reportTarget } from './support.js';

console.log(machineLine());
const database = await createTestDatabase();
const tokens = await createTestTokenIssuer();
const USER = 'user_bench_admin';
await database.db
  .insert((await import('../src/db/tables.js')).createOrgkitTables().users)
  .values({ workosUserId: USER, email: 'bench@example.com', role: 'admin' });
const token = await tokens.mint({ sub: USER }, { expiresIn: 3_600 });

const instance = (telemetry: false | undefined) =>
  createOrgkit({
    database: database.db,
    accessControl: defaultAccessControl,
    session: {
      jwksUrl: tokens.jwksUrl,
      issuers: [tokens.issuer],
      verifiedTokenCache: { max: 100 },
    },
    cache: { ttlMs: 600_000 },
    ...(telemetry === false ? { telemetry } : {}),
  });
const route = (orgkit: ReturnType<typeof instance>) => {
  const auth = createHonoAuth(orgkit, { getRemoteAddress: () => '127.0.0.1' });
  const app = new Hono().get('/protected', auth.requireRole('admin'), (c) => c.json({ ok: true }));
  const init = { headers: { authorization: `Bearer ${token}` } };
  return async () => {
    const response = await app.request('/protected', init);
    if (response.status !== 200) throw new Error(`protected route answered ${response.status}`);
  };
};
const off = instance(false);
const on = instance(undefined);
const paths = {
  'hono, telemetry off': route(off),
  'hono, api but no SDK': route(on),
  'getAccess hit, telemetry off': () => off.getAccess(USER),
  'getAccess hit, api but no SDK': () => on.getAccess(USER),
};
for (const path of Object.values(paths)) await path(); // warm the caches

const noSdk = await p50ByPath(paths);
for (const [name, ns] of noSdk) console.log(`${name.padEnd(34)} p50 ${ns.toFixed(0)} ns`);
for (const what of ['hono', 'getAccess hit']) {
  const ratio = noSdk.get(`${what}, telemetry off`)! / noSdk.get(`${what}, api but no SDK`)!;
  reportTarget(`${what}: no SDK vs telemetry off (speed ratio)`, ratio, '≥ 0.97', ratio >= 0.97);
}

// Now an app registers an SDK; the exporter drops what it is given.
const dropping: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropping)] }),
);
metrics.setGlobalMeterProvider(new MeterProvider());
const withSdk = await p50ByPath({
  'hono, SDK + no-op exporter': paths['hono, api but no SDK'],
  'getAccess hit, SDK + no-op exporter': paths['getAccess hit, api but no SDK'],
});
for (const what of ['hono', 'getAccess hit']) {
  const ns = withSdk.get(`${what}, SDK + no-op exporter`)!;
  const base = noSdk.get(`${what}, telemetry off`)!;
  console.log(
    `${what}, SDK + no-op exporter: p50 ${ns.toFixed(0)} ns, ${(ns / base).toFixed(2)}× the time with telemetry off`,
  );
}
await tokens.close();
await database.close();
process.exit(0);
