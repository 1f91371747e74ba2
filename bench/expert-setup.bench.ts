// markStepComplete (one INSERT … ON CONFLICT DO UPDATE that also settles completion) against the
// seed's shape: read the row, merge the step in JS, write it back with the completion flags
// (two round trips, and racy). Runs on PGlite, and on Postgres too when DATABASE_URL is set.
import { eq, sql } from 'drizzle-orm';
import { RequestScopeStore } from '../src/context/index.js';
import { createOrgkitTables } from '../src/db/tables.js';
import { createExpertSetup, DEFAULT_EXPERT_SETUP_STEPS } from '../src/expert-setup/index.js';
import { createTestDatabase } from '../src/testing/database.js';
import { machineLine, p50ByPath, reportTarget } from './support.js';

console.log(machineLine());

const targets = [
  { name: 'pglite', url: undefined },
  ...(process.env.DATABASE_URL ? [{ name: 'postgres', url: process.env.DATABASE_URL }] : []),
];
const steps = DEFAULT_EXPERT_SETUP_STEPS;

for (const target of targets) {
  const database = await createTestDatabase({ url: target.url });
  const { db } = database;
  const tables = createOrgkitTables();
  const t = tables.expertSetup;
  const setup = createExpertSetup({
    db,
    tables,
    scope: new RequestScopeStore(),
    hasPermission: async () => false,
  });
  // Both paths write a fresh row every 6 calls, so both pay for first-step inserts and for the
  // completing write at the same rate.
  let orgkitCalls = 0;
  let seedCalls = 0;
  const seedStyle = async () => {
    const n = seedCalls++;
    const userId = `user_seed_${Math.floor(n / steps.length)}`;
    const step = steps[n % steps.length]!;
    const [row] = await db.select().from(t).where(eq(t.workosUserId, userId));
    const status = { ...row?.setupStatus, [step]: true };
    const complete = steps.every((s) => status[s] === true);
    const values = {
      setupStatus: status,
      setupComplete: complete,
      setupCompletedAt: complete ? (row?.setupCompletedAt ?? new Date()) : null,
      updatedAt: sql`now()`,
    };
    if (row) await db.update(t).set(values).where(eq(t.workosUserId, userId));
    else await db.insert(t).values({ workosUserId: userId, ...values });
  };
  const ORGKIT = `${target.name}: orgkit markStepComplete`;
  const SEED = `${target.name}: seed read-modify-write (peer)`;
  const results = await p50ByPath({
    [ORGKIT]: () => {
      const n = orgkitCalls++;
      return setup.markStepComplete(
        steps[n % steps.length]!,
        `user_orgkit_${Math.floor(n / steps.length)}`,
        { actor: { system: 'bench' } },
      );
    },
    [SEED]: seedStyle,
  });
  const stats = await setup.getSetupStats();
  await database.close();

  for (const [name, ns] of results) {
    console.log(
      `${name.padEnd(52)} ${(ns / 1000).toFixed(2).padStart(9)} µs/op  ${Math.round(1e9 / ns)
        .toLocaleString('en-US')
        .padStart(10)} ops/s`,
    );
  }
  console.log(`${target.name}: ${stats.total} setup rows written, ${stats.complete} complete`);
  const ratio = results.get(SEED)! / results.get(ORGKIT)!;
  reportTarget(
    `${target.name}: markStepComplete throughput / seed read-modify-write throughput`,
    ratio,
    '≥ 1.00× the seed shape',
    ratio >= 1,
  );
}
