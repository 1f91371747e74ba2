// getUserPreferences on a miss (a new request: one query, then merge and per-key validation) and
// on a hit (the same request again: the request memo), against the peer the seed wrote by hand:
// a bare drizzle select of the row. Runs on PGlite, and on Postgres too when DATABASE_URL is set.
import { eq } from 'drizzle-orm';
import { RequestScopeStore } from '../src/context/index.js';
import { createOrgkitTables } from '../src/db/tables.js';
import { createPreferences } from '../src/preferences/index.js';
import { createTestDatabase } from '../src/testing/database.js';
import { machineLine, p50ByPath, reportTarget } from './support.js';

console.log(machineLine());

const targets = [
  { name: 'pglite', url: undefined },
  ...(process.env.DATABASE_URL ? [{ name: 'postgres', url: process.env.DATABASE_URL }] : []),
];

for (const target of targets) {
  const database = await createTestDatabase({ url: target.url });
  const tables = createOrgkitTables();
  const scope = new RequestScopeStore();
  const prefs = createPreferences({ db: database.db, tables, scope });
  const userId = 'user_bench';
  const job = { actor: { system: 'bench' } };
  await prefs.updateUserPreferences(userId, { theme: 'dark', language: 'es' }, job);

  const PEER = `${target.name}: drizzle select of the row (peer)`;
  const MISS = `${target.name}: getUserPreferences, miss (new request)`;
  const HIT = `${target.name}: getUserPreferences, hit (same request)`;
  const table = tables.userPreferences;
  const results = await scope.run({}, async () => {
    await prefs.getUserPreferences(userId, job);
    return p50ByPath({
      [PEER]: () =>
        database.db
          .select({ preferences: table.preferences })
          .from(table)
          .where(eq(table.workosUserId, userId))
          .limit(1),
      [MISS]: () => scope.run({}, () => prefs.getUserPreferences(userId, job)),
      [HIT]: () => prefs.getUserPreferences(userId, job),
    });
  });
  await database.close();

  for (const [name, ns] of results) {
    console.log(
      `${name.padEnd(52)} ${(ns / 1000).toFixed(2).padStart(9)} µs/op  ${Math.round(1e9 / ns)
        .toLocaleString('en-US')
        .padStart(10)} ops/s`,
    );
  }
  const missRatio = results.get(PEER)! / results.get(MISS)!;
  reportTarget(
    `${target.name}: miss throughput / bare select throughput`,
    missRatio,
    '≥ 0.80× the bare select',
    missRatio >= 0.8,
  );
  const hitSpeedup = results.get(MISS)! / results.get(HIT)!;
  reportTarget(
    `${target.name}: hit / miss throughput`,
    hitSpeedup,
    '≥ 10× a miss',
    hitSpeedup >= 10,
  );
}
