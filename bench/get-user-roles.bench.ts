// getUserRoles on a cache miss (one round trip: UNION ALL of the user row and the active
// memberships, prepared) against the seed's two sequential drizzle queries (seed 3.2), on the
// same database: embedded PGlite, or the server at DATABASE_URL. Also the cache-hit path.
import { eq } from 'drizzle-orm';
import { do_not_optimize, measure } from 'mitata';
import { RequestScopeStore } from '../src/context/index.js';
import { createOrgkitTables } from '../src/db/tables.js';
import { createRoles, defaultAccessControl } from '../src/roles/index.js';
import { createTestDatabase } from '../src/testing/database.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());
const url = process.env.DATABASE_URL;
const t = await createTestDatabase({ url, maxConnections: 1 });
console.log(`database: ${t.kind}`);
const tables = createOrgkitTables();
const { users, userOrgMemberships } = tables;

// 2,000 users with two or three memberships each, one of them inactive now and then.
const APP_ROLES = defaultAccessControl.appRoles;
const ORG_ROLES = defaultAccessControl.orgRoles;
for (let batch = 0; batch < 4; batch++) {
  const ids = Array.from({ length: 500 }, (_, k) => `user_${batch * 500 + k}`);
  await t.db.insert(users).values(
    ids.map((id, k) => ({
      workosUserId: id,
      email: `${id}@example.com`,
      role: APP_ROLES[k % 6]!,
    })),
  );
  await t.db.insert(userOrgMemberships).values(
    ids.flatMap((id, k) =>
      Array.from({ length: 2 + (k % 2) }, (_, m) => ({
        workosMembershipId: `om_${id}_${m}`,
        workosUserId: id,
        workosOrgId: `org_${(k + m) % 300}`,
        role: ORG_ROLES[(k + m) % 4]!,
        status: (k + m) % 7 === 0 ? ('inactive' as const) : ('active' as const),
      })),
    ),
  );
}
await t.db.execute('ANALYZE');

const roles = createRoles({
  db: t.db,
  tables,
  accessControl: defaultAccessControl,
  scope: new RequestScopeStore(),
  cache: { ttlMs: 600_000, max: 10_000 },
});

// The seed's getUserRoles (seed 3.2), word for word apart from findFirst → select … limit 1.
async function seedGetUserRoles(workosUserId: string): Promise<string[]> {
  const [user] = await t.db
    .select()
    .from(users)
    .where(eq(users.workosUserId, workosUserId))
    .limit(1);
  const memberships = await t.db
    .select()
    .from(userOrgMemberships)
    .where(eq(userOrgMemberships.workosUserId, workosUserId));
  const found: string[] = [];
  if (user?.role) found.push(user.role);
  for (const m of memberships) found.push(m.role);
  return found.length > 0 ? found : ['user'];
}

let n = 0;
const nextUser = () => {
  n = (n + 7) % 2_000;
  return `user_${n}`;
};
const paths: Record<string, () => Promise<unknown>> = {
  'seed: two sequential queries': () => seedGetUserRoles(nextUser()),
  'orgkit getUserRoles, cache miss': async () => {
    const id = nextUser();
    await roles.invalidateUser(id);
    return roles.getUserRoles(id);
  },
};
const [SEED, MISS] = Object.keys(paths) as [string, string];

for (let i = 0; i < 300; i++) for (const path of Object.values(paths)) await path();

// Rounds in alternating order and the median of per-round medians, as in the other benchmarks.
const p50s = new Map<string, number[]>(Object.keys(paths).map((name) => [name, []]));
for (let round = 0; round < 6; round++) {
  const names = round % 2 === 0 ? Object.keys(paths) : Object.keys(paths).reverse();
  for (const name of names) {
    const path = paths[name]!;
    const stats = await measure(async () => do_not_optimize(await path()), { min_cpu_time: 300e6 });
    p50s.get(name)!.push(stats.p50);
  }
}

// Cache hit: the same user again and again, as the requests of one busy user.
await roles.getUserRoles('user_1');
const hitStats = await measure(async () => do_not_optimize(await roles.getUserRoles('user_1')));
await roles.close();
await t.close();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const p50 = (name: string) => median(p50s.get(name)!);
for (const [name, ns] of [
  ...Object.keys(paths).map((k) => [k, p50(k)] as const),
  ['orgkit getUserRoles, cache hit', hitStats.p50] as const,
]) {
  console.log(`${name.padEnd(34)} ${(ns / 1000).toFixed(2).padStart(9)} µs/op`);
}
const ratio = p50(MISS) / p50(SEED);
reportTarget(`cache miss time / seed time (${t.kind})`, ratio, '≤ 0.60× the seed', ratio <= 0.6);
const hitUs = hitStats.p50 / 1000;
reportTarget('cache hit, µs', hitUs, '< 2 µs', hitUs < 2);
