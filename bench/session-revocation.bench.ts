// Revocation and refresh coordination (issue 22).
// 1. The hot path of a signed-in request with cached access and no change pending: the
//    verified-token cache hit plus `getAccess`, and `getAccess` alone, through this tree's
//    createOrgkit (which checks revocation marks) against `main`'s (BENCH_BASELINE_REF), extracted
//    with `git archive` into .bench-baseline/, in the same run on the same database.
// 2. What coordinating a refresh adds: the lease, the encrypted outcome and its write, through
//    Redis (REDIS_URL) and Postgres (DATABASE_URL, else PGlite), around a refresh that itself
//    costs nothing, so only the coordination is timed.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { do_not_optimize, measure } from 'mitata';
import { createOrgkitTables } from '../src/db/tables.js';
import { coordinatedRefresh } from '../src/http/refresh/coordinate.js';
import { createPostgresRefreshStore } from '../src/http/refresh/postgres-refresh-store.js';
import { createRedisRefreshStore } from '../src/http/refresh/redis-refresh-store.js';
import { createOrgkit } from '../src/index.js';
import { createTestDatabase } from '../src/testing/database.js';
import { createTestTokenIssuer } from '../src/testing/token-issuer.js';
import { machineLine, p50ByPath, reportTarget } from './support.js';

console.log(machineLine());
const t = await createTestDatabase({ url: process.env.DATABASE_URL, maxConnections: 2 });
console.log(`database: ${t.kind}${process.env.REDIS_URL ? ', redis' : ''}`);
const tables = createOrgkitTables();
const USER = 'user_bench';
await t.db.insert(tables.users).values({ workosUserId: USER, email: 'b@example.com' });
await t.db.insert(tables.userOrgMemberships).values({
  workosMembershipId: 'om_bench',
  workosUserId: USER,
  workosOrgId: 'org_bench',
  role: 'admin',
  roles: ['admin'],
});
// Another user with a mark pending: the check then runs for real on their principal.
await t.db.insert(tables.tokenRevocations).values({
  workosUserId: 'user_marked',
  kind: 'claims',
  subject: 'org_other',
  revokedAt: new Date(),
});

const issuer = await createTestTokenIssuer();
const token = await issuer.mint(
  { sub: USER, org_id: 'org_bench', role: 'admin', permissions: ['org:manage'] },
  { expiresIn: 3600 },
);
const session = { jwksUrl: issuer.jwksUrl, issuers: [issuer.issuer] };
const orgkit = createOrgkit({
  database: t.db,
  clientId: issuer.clientId,
  session: { ...session, verifiedTokenCache: { max: 1_000 } },
  cache: { ttlMs: 600_000 },
});
// Today's orgkit, from the baseline ref, over the same database and issuer.
const root = join(import.meta.dirname, '..');
const ref = process.env.BENCH_BASELINE_REF ?? 'main';
const baselineDir = join(root, '.bench-baseline');
execFileSync('rm', ['-rf', baselineDir]);
execFileSync('mkdir', ['-p', baselineDir]);
execFileSync('sh', ['-c', `git archive ${ref} src | tar -x -C .bench-baseline`], { cwd: root });
const today = (await import(join(baselineDir, 'src/index.ts'))) as typeof import('../src/index.js');
const baseline = today.createOrgkit({
  database: t.db,
  clientId: issuer.clientId,
  session: { ...session, verifiedTokenCache: { max: 1_000 } },
  cache: { ttlMs: 600_000 },
});

const request = (o: typeof orgkit) => async () => {
  const s = await o.verifyAccessToken(token);
  return o.runWithRequestScope({ session: s }, () => o.getAccess());
};
const withCheck = request(orgkit);
const withoutCheck = request(baseline);
for (let i = 0; i < 2_000; i++) {
  await withCheck();
  await withoutCheck();
}
const verified = await orgkit.verifyAccessToken(token);
const hot = await p50ByPath({
  [`getAccess hit, ${ref}`]: () =>
    baseline.runWithRequestScope({ session: verified }, () => baseline.getAccess()),
  'getAccess hit, with the revocation check': () =>
    orgkit.runWithRequestScope({ session: verified }, () => orgkit.getAccess()),
  [`request: verify (cached) + getAccess, ${ref}`]: withoutCheck,
  'request: verify (cached) + getAccess, with the checks': withCheck,
});
for (const [name, ns] of hot) console.log(`${name.padEnd(62)} ${(ns / 1000).toFixed(3)} µs/op`);
const [hitBefore, hitAfter, before, after] = [...hot.values()] as number[] as [
  number,
  number,
  number,
  number,
];
reportTarget(
  'getAccess hit with the revocation check / today',
  hitAfter / hitBefore,
  '≤ 1.05×',
  hitAfter / hitBefore <= 1.05,
);
reportTarget(
  'request (cached token + getAccess) with the checks / today',
  after / before,
  '≤ 1.05×',
  after / before <= 1.05,
);

// Coordination: each iteration refreshes a cookie nobody refreshed before.
let n = 0;
const coordinate = async (store: Parameters<typeof coordinatedRefresh>[0]['store']) => {
  const c = { store, graceMs: 10_000, waitMs: 5_000 };
  const cookie = `Fe26.2*bench*${process.pid}*${n++}*${'x'.repeat(200)}`;
  return coordinatedRefresh(
    c,
    cookie,
    async () => ({ sealedSession: `new-${cookie}` }),
    (r) => r.sealedSession,
  );
};
const stores: Record<string, ReturnType<typeof createPostgresRefreshStore>> = {
  [`postgres (${t.kind})`]: createPostgresRefreshStore(t.db, tables),
};
if (process.env.REDIS_URL) {
  stores.redis = createRedisRefreshStore({
    url: process.env.REDIS_URL,
    keyPrefix: `orgkit:bench:${process.pid}`,
  });
}
for (const store of Object.values(stores)) for (let i = 0; i < 50; i++) await coordinate(store);
const added = new Map<string, number>();
for (const [name, store] of Object.entries(stores)) {
  const stats = await measure(async () => do_not_optimize(await coordinate(store)), {
    min_cpu_time: 300e6,
  });
  added.set(name, stats.p50);
}
for (const [name, ns] of added) {
  console.log(`${`refresh coordination added, ${name}`.padEnd(62)} ${(ns / 1e6).toFixed(2)} ms/op`);
}
for (const store of Object.values(stores)) await store.close();
await orgkit.close();
await baseline.close();
await issuer.close();
await t.close();
execFileSync('rm', ['-rf', baselineDir]);
