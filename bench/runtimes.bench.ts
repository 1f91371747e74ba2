// The runtime app (test/runtimes/app: one orgkit instance per process or isolate, a postgres.js
// connection per request) on Node, Bun, Deno and workerd (wrangler's local runtime), driven over
// HTTP from this process: a guarded route's latency against an unguarded one (both with the
// app's connection-per-request middleware; the unguarded one without orgkit), the JWKS fetches
// for 400 guarded requests, and protected/unprotected throughput. Needs PostgreSQL
// (DATABASE_URL, default the local server). `npm run bench -- runtimes [bun deno …]`.
import { createTestDatabase } from '../src/testing/database.js';
import { createTestTokenIssuer } from '../src/testing/token-issuer.js';
import { READER, seedRuntimeUsers } from '../test/runtimes/support/scenario.js';
import { type RuntimeName, startRuntimeServer } from '../test/runtimes/support/spawn-server.js';
import { machineLine, reportTarget } from './support.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const asked = process.argv.slice(2).filter((a) => a !== 'runtimes') as RuntimeName[];
const runtimes: RuntimeName[] = asked.length ? asked : ['node', 'bun', 'deno', 'workerd'];
const REQUESTS = 400;
const THROUGHPUT_MS = 3_000;
const CONCURRENCY = 16;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

async function latencies(url: string, headers: Record<string, string>, n: number) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    times.push(performance.now() - start);
  }
  return times;
}

async function throughput(url: string, headers: Record<string, string>) {
  let done = 0;
  const until = performance.now() + THROUGHPUT_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        done++;
      }
    }),
  );
  return done / (THROUGHPUT_MS / 1000);
}

console.log(machineLine());
const tokens = await createTestTokenIssuer();
const t = await createTestDatabase({ url: DATABASE_URL, rls: true });
await seedRuntimeUsers(t);
const token = await tokens.mint({ sub: READER, expiresIn: 3600 });
const auth = { authorization: `Bearer ${token}` };
try {
  for (const runtime of runtimes) {
    const server = await startRuntimeServer(runtime, {
      RUNTIME_DATABASE_URL: t.url!,
      RUNTIME_SCHEMA: t.schema,
      RUNTIME_JWKS_URL: tokens.jwksUrl,
      RUNTIME_ISSUER: tokens.issuer,
    });
    try {
      const fetchesBefore = tokens.fetchCount;
      // Warm both paths (JIT, the role cache), then alternate so drift falls on both alike.
      await latencies(`${server.url}/plain/open`, {}, 50);
      await latencies(`${server.url}/api/guarded`, auth, 50);
      const open: number[] = [];
      const guarded: number[] = [];
      for (let round = 0; round < 4; round++) {
        open.push(...(await latencies(`${server.url}/plain/open`, {}, REQUESTS / 4)));
        guarded.push(...(await latencies(`${server.url}/api/guarded`, auth, REQUESTS / 4)));
      }
      const jwksFetches = tokens.fetchCount - fetchesBefore;
      const openRps = await throughput(`${server.url}/plain/open`, {});
      const guardedRps = await throughput(`${server.url}/api/guarded`, auth);
      const line = {
        runtime,
        unguardedMedianMs: Number(median(open).toFixed(3)),
        guardedMedianMs: Number(median(guarded).toFixed(3)),
        jwksFetchesFor450GuardedRequests: jwksFetches,
        unguardedRps: Math.round(openRps),
        guardedRps: Math.round(guardedRps),
        ratio: Number((guardedRps / openRps).toFixed(2)),
      };
      console.log(JSON.stringify(line));
      reportTarget(
        `${runtime} guarded median − unguarded median (ms)`,
        median(guarded) - median(open),
        '≤ 1',
        median(guarded) - median(open) <= 1,
      );
      reportTarget(`${runtime} JWKS fetches`, jwksFetches, '= 1', jwksFetches === 1);
      reportTarget(
        `${runtime} protected/unprotected throughput`,
        line.ratio,
        '≥ 0.8',
        line.ratio >= 0.8,
      );
    } finally {
      await server.stop();
    }
  }
} finally {
  await t.close();
  await tokens.close();
}
