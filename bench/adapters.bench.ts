// Requests per second through each adapter's protected route (Bearer token, verified-token cache
// on, requireRole resolved from the role cache) against the same framework's unprotected route,
// over real HTTP on loopback. Both routes get the same request, token included. The servers run in a worker thread and the load in the main thread,
// so the client's own cost does not eat the server's CPU; both routes share one server, so they
// differ only by orgkit's work.
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { machineLine, reportTarget } from './support.js';

interface Ports {
  express: number;
  hono: number;
  token: string;
}

async function startServers(): Promise<Ports> {
  const [{ serve }, { default: express }, { Hono }] = await Promise.all([
    import('@hono/node-server'),
    import('express'),
    import('hono'),
  ]);
  const { createExpressAuth } = await import('../src/adapters/express/index.js');
  const { createHonoAuth } = await import('../src/adapters/hono/index.js');
  const { createOrgkit, defaultAccessControl } = await import('../src/index.js');
  const { createTestDatabase } = await import('../src/testing/database.js');
  const { createTestTokenIssuer } = await import('../src/testing/token-issuer.js');

  const database = await createTestDatabase();
  const tokens = await createTestTokenIssuer();
  const orgkit = createOrgkit({
    database: database.db,
    accessControl: defaultAccessControl,
    session: {
      jwksUrl: tokens.jwksUrl,
      issuers: [tokens.issuer],
      verifiedTokenCache: { max: 10_000 },
    },
    cache: { ttlMs: 600_000 },
  });
  const userId = 'user_bench_admin';
  await orgkit.database
    .insert(orgkit.tables.users)
    .values({ workosUserId: userId, email: 'bench@example.com', role: 'admin' });
  const token = await tokens.mint({ sub: userId }, { expiresIn: 3_600 });

  const body = { ok: true };
  const expressApp = express();
  const expressAuth = createExpressAuth(orgkit);
  expressApp.get('/open', (_req, res) => {
    res.json(body);
  });
  expressApp.get('/protected', expressAuth.requireRole('admin'), (_req, res) => {
    res.json(body);
  });
  // The framework's own price of one middleware, for the record: orgkit's guard is one.
  expressApp.get(
    '/noop',
    (_req, _res, next) => next(),
    (_req, res) => {
      res.json(body);
    },
  );
  const honoAuth = createHonoAuth(orgkit);
  const honoApp = new Hono()
    .get('/open', (c) => c.json(body))
    .get('/protected', honoAuth.requireRole('admin'), (c) => c.json(body))
    .get(
      '/noop',
      (_c, next) => next(),
      (c) => c.json(body),
    );

  const expressServer = expressApp.listen(0, '127.0.0.1');
  await once(expressServer, 'listening');
  const honoServer = serve({ fetch: honoApp.fetch, port: 0, hostname: '127.0.0.1' });
  await once(honoServer, 'listening');
  const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
  return { express: port(expressServer), hono: port(honoServer), token };
}

if (!isMainThread) {
  const port = parentPort!;
  port.postMessage(await startServers());
  // The server thread's own CPU time, so the main thread can charge each run its server cost.
  port.on('message', () => port.postMessage(process.threadCpuUsage()));
} else {
  console.log(machineLine());
  const worker = new Worker(new URL(import.meta.url));
  const [ports] = (await once(worker, 'message')) as [Ports];

  const CONNECTIONS = 32;
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const get = (port: number, path: string, token?: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port,
          path,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });

  const serverCpuMicros = async () => {
    worker.postMessage('cpu');
    const [usage] = (await once(worker, 'message')) as [NodeJS.CpuUsage];
    return usage.user + usage.system;
  };

  /**
   * Requests per second one server core sustains: requests served over the server thread's CPU
   * seconds, with CONNECTIONS requests always in flight. Counting the server's CPU rather than
   * wall time keeps the load generator and other work on this shared machine out of the figure.
   */
  async function serve(port: number, path: string, token: string | undefined, ms: number) {
    const cpuBefore = await serverCpuMicros();
    const until = performance.now() + ms;
    let done = 0;
    const lane = async () => {
      while (performance.now() < until) {
        const status = await get(port, path, token);
        if (status !== 200) throw new Error(`${path} answered ${status}`);
        done++;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, lane));
    return { requests: done, cpuMicros: (await serverCpuMicros()) - cpuBefore };
  }

  const FRAMEWORKS = ['express', 'hono'] as const;
  const ROUTES = {
    unprotected: '/open',
    'no-op middleware': '/noop',
    'protected (requireRole)': '/protected',
  };
  type Route = keyof typeof ROUTES;
  const run = (framework: (typeof FRAMEWORKS)[number], route: Route, ms: number) =>
    serve(ports[framework], ROUTES[route], ports.token, ms);

  // Warm up the JIT, the JWKS, the verified-token cache and the role cache.
  for (const framework of FRAMEWORKS) {
    for (const route of Object.keys(ROUTES) as Route[]) await run(framework, route, 2_000);
  }

  // Many short rounds, each running every route of a framework back to back in alternating
  // order, so the load on this shared machine, which drifts over seconds, falls on every route
  // alike. A route's figure is all its requests over all the server CPU they took: garbage
  // collection and other costs that come in bursts are counted where they fall, not dropped as
  // outliers. The per-round ratios are printed to show the spread.
  const ROUNDS = 16;
  const totals = new Map<string, { requests: number; cpuMicros: number }>();
  const roundRatios = new Map<string, number[]>(FRAMEWORKS.map((f) => [f, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const framework of FRAMEWORKS) {
      const routes = Object.keys(ROUTES) as Route[];
      const rps: Partial<Record<Route, number>> = {};
      for (const route of round % 2 === 0 ? routes : routes.reverse()) {
        const served = await run(framework, route, 750);
        const total = totals.get(`${framework} ${route}`) ?? { requests: 0, cpuMicros: 0 };
        total.requests += served.requests;
        total.cpuMicros += served.cpuMicros;
        totals.set(`${framework} ${route}`, total);
        rps[route] = served.requests / served.cpuMicros;
      }
      roundRatios.get(framework)!.push(rps['protected (requireRole)']! / rps.unprotected!);
    }
  }
  const rps = (name: string) => {
    const { requests, cpuMicros } = totals.get(name)!;
    return (requests * 1e6) / cpuMicros;
  };
  for (const framework of FRAMEWORKS) {
    for (const route of Object.keys(ROUTES)) {
      const value = rps(`${framework} ${route}`);
      console.log(
        `${`${framework} ${route}`.padEnd(36)} ${Math.round(value).toLocaleString('en-US').padStart(8)} req/s per server core  ${(1e6 / value).toFixed(1).padStart(6)} µs CPU/request`,
      );
    }
  }
  for (const framework of FRAMEWORKS) {
    const guarded = rps(`${framework} protected (requireRole)`);
    const ratio = guarded / rps(`${framework} unprotected`);
    reportTarget(
      `${framework}: protected / unprotected throughput`,
      ratio,
      '≥ 0.80× with the verified-token cache on',
      ratio >= 0.8,
    );
    const sorted = [...roundRatios.get(framework)!].sort((a, b) => a - b);
    const noop = guarded / rps(`${framework} no-op middleware`);
    console.log(
      `  ${framework}: per-round ratios ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)} (median ${sorted[sorted.length >> 1]!.toFixed(2)}); protected / no-op middleware ${noop.toFixed(2)} (not a target: the framework's price of any middleware)`,
    );
  }
  agent.destroy();
  await worker.terminate();
}
