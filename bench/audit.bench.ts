// Audit writes on real Postgres: `logAuditEvent` / `logAuditEvents` (validation, redaction, one
// INSERT whose trigger links each row into its organization's hash chain under the chain head's
// row lock) against a plain parameterised drizzle INSERT of the same rows into `audit_plain`, a
// copy of `audit_logs` made with `LIKE … INCLUDING ALL` (same columns, defaults and indexes, no
// triggers; the plain rows carry placeholder seq and hashes), and against the floor of any
// per-organization chain: the same copy with a trigger that only takes and advances the head.
// Shapes: single events into one organization and spread over 100, batches into one organization
// and over 100; then the latency one awaited write adds to a request, and EXPLAIN ANALYZE of where
// a 100-row INSERT spends its time. Many short rounds alternate the sides, and a shape's figure is
// its total events over its total time (decision 60). The chains are verified at the end, so the
// numbers come from correct writes.
import { sql } from 'drizzle-orm';
import { createOrgkit } from '../src/create-orgkit.js';
import { rowsOf } from '../src/db/database.js';
import { createOrgkitTables } from '../src/db/tables.js';
import type { Session } from '../src/session/types.js';
import { createTestDatabase } from '../src/testing/database.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const POOL = 16;
const LANES = 16;
const ORGS = 100;
const BATCH = 100;
const ROUNDS = 6;
const ROUND_MS = 700;
const LATENCY_SAMPLES = 1_500;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
try {
  database = await createTestDatabase({ url, maxConnections: POOL });
} catch (error) {
  console.log(
    `skipped: the audit benchmark needs a real Postgres (DATABASE_URL, tried ${url.replace(/\/\/[^@]*@/, '//…@')}): ${(error as Error).message}`,
  );
  process.exit(0);
}
const { db } = database;
const [server] = rowsOf<{ version: string; fsync: string; sync: string }>(
  await db.execute(
    sql`SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync`,
  ),
);
console.log(
  `postgres: ${server!.version} (fsync ${server!.fsync}, synchronous_commit ${server!.sync}), pool ${POOL}, ${LANES} concurrent writers`,
);

await db.execute(sql`CREATE TABLE audit_plain (LIKE audit_logs INCLUDING ALL)`);
// The floor of any per-organization chain, measured in the same run: the same copy of the table
// with a trigger that takes and advances the organization's head exactly as orgkit_audit_link
// does (SELECT … FOR UPDATE, then UPDATE, held to commit), but computes no hash.
await db.execute(
  sql.raw(`
CREATE TABLE audit_head_lock (LIKE audit_logs INCLUDING ALL);
CREATE TABLE bench_heads (chain text PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL);
CREATE FUNCTION bench_head_lock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  chain_key text := coalesce(NEW.workos_org_id, '');
  head_seq bigint;
  head_hash text;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM bench_heads h WHERE h.chain = chain_key FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO bench_heads (chain, seq, hash) VALUES (chain_key, 0, repeat('0', 64))
      ON CONFLICT (chain) DO NOTHING;
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM bench_heads h WHERE h.chain = chain_key FOR UPDATE;
  END IF;
  NEW.occurred_at := date_trunc('milliseconds', clock_timestamp());
  NEW.seq := head_seq + 1;
  NEW.prev_hash := head_hash;
  UPDATE bench_heads SET seq = NEW.seq, hash = NEW.hash WHERE chain = chain_key;
  RETURN NEW;
END $$;
CREATE TRIGGER bench_head_lock BEFORE INSERT ON audit_head_lock
  FOR EACH ROW EXECUTE FUNCTION bench_head_lock();`),
);
const plain = createOrgkitTables({ auditLogs: 'audit_plain' }).auditLogs;
const headLock = createOrgkitTables({ auditLogs: 'audit_head_lock' }).auditLogs;
const orgkit = createOrgkit({ database: db });

const ONE_ORG = 'org_bench_one';
const orgs = Array.from({ length: ORGS }, (_, i) => `org_bench_${String(i).padStart(3, '0')}`);
let nextOrg = 0;
const anyOrg = () => orgs[nextOrg++ % ORGS]!;

// One event as an app logs it: a booking changed by a user, a few fields before and after.
const changes = {
  oldValues: { status: 'pending', startsAt: '2026-12-01T09:00:00.000Z' },
  newValues: { status: 'booked', startsAt: '2026-12-01T09:30:00.000Z', expertId: 'user_expert_1' },
};
const metadata = { source: 'web', bookingChannel: 'calendar' };
const ACTOR = 'user_bench_actor';
const event = (organizationId: string, i: number) => ({
  action: 'meeting.booked',
  resourceType: 'meeting',
  resourceId: `mtg_${i}`,
  changes,
  metadata,
  actor: { userId: ACTOR },
  organizationId,
});

// The same row as orgkit stores it, with placeholders where the trigger would compute the chain:
// seq from one counter (unique per organization, as the unique (chain, seq) index requires) and
// 64-character hex strings, the size of real hashes.
let plainSeq = 0n;
const PLACEHOLDER_HASH = 'f'.repeat(64);
const plainRow = (organizationId: string, i: number, requestId: string | null = null) => ({
  action: 'meeting.booked',
  outcome: 'success',
  actorWorkosUserId: ACTOR,
  actorSystem: null,
  workosOrgId: organizationId,
  targetType: 'meeting',
  targetId: `mtg_${i}`,
  ipAddress: null,
  userAgent: null,
  requestId,
  oldValues: changes.oldValues,
  newValues: changes.newValues,
  metadata,
  seq: ++plainSeq,
  prevHash: PLACEHOLDER_HASH,
  hash: PLACEHOLDER_HASH,
});

let written = 0;
const logOne = async (organizationId: string) => {
  const i = written++;
  await orgkit.logAuditEvent('meeting.booked', 'meeting', `mtg_${i}`, changes, metadata, {
    actor: { userId: ACTOR },
    organizationId,
  });
  return 1;
};
type PlainTable = typeof plain;
const insertOne = async (table: PlainTable, organizationId: string) => {
  await db.insert(table).values(plainRow(organizationId, written++));
  return 1;
};
const orgsOfBatch = {
  /** Every event of every batch in one organization. */
  one: () => Array.from({ length: BATCH }, () => ONE_ORG),
  /** Each batch is one organization's events; batches rotate over the 100 organizations. */
  perOrg: () => {
    const organizationId = anyOrg();
    return Array.from({ length: BATCH }, () => organizationId);
  },
};
const logBatch = async (orgsOf: () => string[]) => {
  const events = orgsOf().map((o) => event(o, written++));
  await orgkit.logAuditEvents(events);
  return events.length;
};
const insertBatch = async (table: PlainTable, orgsOf: () => string[]) => {
  const rows = orgsOf().map((o) => plainRow(o, written++));
  await db.insert(table).values(rows);
  return rows.length;
};

const SIDES = ['orgkit', 'plain', 'floor'] as const;
type Side = (typeof SIDES)[number];
const SIDE_LABELS: Record<Side, string> = {
  orgkit: 'orgkit',
  plain: 'plain INSERT',
  floor: 'head lock only',
};
type Shape = { label: string } & Record<Side, () => Promise<number>>;
const SHAPES: Shape[] = [
  {
    label: 'single events, one organization',
    orgkit: () => logOne(ONE_ORG),
    plain: () => insertOne(plain, ONE_ORG),
    floor: () => insertOne(headLock, ONE_ORG),
  },
  {
    label: `single events, ${ORGS} organizations`,
    orgkit: () => logOne(anyOrg()),
    plain: () => insertOne(plain, anyOrg()),
    floor: () => insertOne(headLock, anyOrg()),
  },
  {
    label: `batches of ${BATCH}, one organization`,
    orgkit: () => logBatch(orgsOfBatch.one),
    plain: () => insertBatch(plain, orgsOfBatch.one),
    floor: () => insertBatch(headLock, orgsOfBatch.one),
  },
  {
    label: `batches of ${BATCH}, ${ORGS} organizations (one per batch)`,
    orgkit: () => logBatch(orgsOfBatch.perOrg),
    plain: () => insertBatch(plain, orgsOfBatch.perOrg),
    floor: () => insertBatch(headLock, orgsOfBatch.perOrg),
  },
];

/** Events written with LANES writers always in flight for `ms`, and the wall time it took. */
async function drive(write: () => Promise<number>, ms: number) {
  const started = performance.now();
  const until = started + ms;
  let events = 0;
  const lane = async () => {
    while (performance.now() < until) {
      // Not `events += await write()`: that reads `events` before the await and loses the
      // other lanes' counts.
      const n = await write();
      events += n;
    }
  };
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: LANES }, lane));
  const { user, system } = process.cpuUsage(cpu);
  return { events, ms: performance.now() - started, nodeCpuMicros: user + system };
}

// Warm-up: JIT, pool connections, plan caches, and every organization's chain head.
for (const shape of SHAPES) for (const side of SIDES) await drive(shape[side], 300);
for (const o of orgs) await logOne(o);

type Run = Awaited<ReturnType<typeof drive>>;
const totals = new Map<string, Run>();
const add = (key: string, run: Run) => {
  const total = totals.get(key) ?? { events: 0, ms: 0, nodeCpuMicros: 0 };
  total.events += run.events;
  total.ms += run.ms;
  total.nodeCpuMicros += run.nodeCpuMicros;
  totals.set(key, total);
};
for (let round = 0; round < ROUNDS; round++) {
  for (const shape of SHAPES) {
    for (const side of round % 2 === 0 ? SIDES : [...SIDES].reverse()) {
      add(`${shape.label} ${side}`, await drive(shape[side], ROUND_MS));
    }
  }
}
const perSecond = (shape: Shape, side: Side) => {
  const { events, ms } = totals.get(`${shape.label} ${side}`)!;
  return (events * 1000) / ms;
};
const nodeCpuPerEvent = (shape: Shape, side: Side) => {
  const { events, nodeCpuMicros } = totals.get(`${shape.label} ${side}`)!;
  return nodeCpuMicros / events;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(
  `\nthroughput, events/s (${ROUNDS} alternating rounds of ${ROUND_MS} ms per side; "head lock only": the floor, the chain's row lock without the hash), Node CPU µs per event in brackets:`,
);
for (const shape of SHAPES) {
  const rate = (side: Side) =>
    `${SIDE_LABELS[side]} ${fmt(perSecond(shape, side)).padStart(6)} [${nodeCpuPerEvent(shape, side).toFixed(0).padStart(3)}]`;
  const ratio = (side: Side) => (perSecond(shape, 'orgkit') / perSecond(shape, side)).toFixed(2);
  console.log(
    `${shape.label.padEnd(52)} ${SIDES.map(rate).join('  ')}  orgkit / plain ${ratio('plain')}, / floor ${ratio('floor')}`,
  );
}

// Latency of one awaited write inside a request, one request at a time: orgkit inside a request
// scope with a session (actor and organization from the scope), the plain INSERT in the same kind
// of scope, alternating call by call.
const session: Session = {
  userId: ACTOR,
  sessionId: 'session_bench',
  organizationId: orgs[0],
  role: 'member',
  roles: ['member'],
  permissions: [],
  entitlements: [],
  featureFlags: [],
  impersonator: undefined,
  expiresAt: Math.floor(Date.now() / 1000) + 3_600,
  claims: { sub: ACTOR },
};
const request = { session, ipAddress: '203.0.113.7', userAgent: 'bench/1.0' };
const latencies = { orgkit: [] as number[], plain: [] as number[] };
const timed = async (fn: () => Promise<unknown>) => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};
for (let i = 0; i < LATENCY_SAMPLES + 100; i++) {
  const requestId = `req_${i}`;
  const viaOrgkit = () =>
    orgkit.runWithRequestScope({ ...request, requestId }, () =>
      timed(() => orgkit.logAuditEvent('meeting.booked', 'meeting', `mtg_${i}`, changes, metadata)),
    );
  const viaPlain = () =>
    orgkit.runWithRequestScope({ ...request, requestId }, () =>
      timed(() => db.insert(plain).values(plainRow(session.organizationId!, i, requestId))),
    );
  const first = i % 2 === 0 ? viaOrgkit : viaPlain;
  const second = i % 2 === 0 ? viaPlain : viaOrgkit;
  const a = await first();
  const b = await second();
  if (i < 100) continue; // warm-up
  latencies[i % 2 === 0 ? 'orgkit' : 'plain'].push(a);
  latencies[i % 2 === 0 ? 'plain' : 'orgkit'].push(b);
}
const quantile = (v: number[], q: number) =>
  [...v].sort((x, y) => x - y)[Math.min(v.length - 1, Math.floor(q * v.length))]!;
console.log(`\nlatency of one awaited write in a request, ${LATENCY_SAMPLES} each, one at a time:`);
for (const side of ['orgkit', 'plain'] as const) {
  console.log(
    `${(side === 'orgkit' ? 'orgkit logAuditEvent (request scope)' : 'plain INSERT').padEnd(40)} p50 ${quantile(latencies[side], 0.5).toFixed(3)} ms  p99 ${quantile(latencies[side], 0.99).toFixed(3)} ms`,
  );
}
const added = (q: number) => quantile(latencies.orgkit, q) - quantile(latencies.plain, q);
console.log(
  `added by the audit chain: p50 ${(added(0.5) * 1000).toFixed(0)} µs, p99 ${(added(0.99) * 1000).toFixed(0)} µs`,
);

// Where the time goes inside Postgres: EXPLAIN ANALYZE of one 100-row INSERT into one
// organization per table (the trigger's own time is reported apart), and the chain's hash
// function alone over the same event's fields. Medians of 5.
const explainRows = (table: string) => {
  const rows = Array.from({ length: BATCH }, (_, i) => {
    const r = plainRow(ONE_ORG, i);
    return sql`(${r.action}, ${r.actorWorkosUserId}, ${r.workosOrgId}, ${r.targetType}, ${r.targetId},
      ${JSON.stringify(r.oldValues)}::jsonb, ${JSON.stringify(r.newValues)}::jsonb,
      ${JSON.stringify(r.metadata)}::jsonb, ${r.seq}, ${r.prevHash}, ${r.hash})`;
  });
  return sql`EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO ${sql.identifier(table)} (action,
    actor_workos_user_id, workos_org_id, target_type, target_id, old_values, new_values, metadata,
    seq, prev_hash, hash) VALUES ${sql.join(rows, sql`, `)}`;
};
interface ExplainPlan {
  'Execution Time': number;
  Triggers?: { 'Trigger Name': string; Time: number }[];
}
const explain = async (statement: ReturnType<typeof sql>) =>
  rowsOf<{ 'QUERY PLAN': ExplainPlan[] }>(await db.execute(statement))[0]!['QUERY PLAN'][0]!;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
console.log(`\nwhere the time goes, one ${BATCH}-row INSERT into one organization (median of 5):`);
for (const table of ['audit_plain', 'audit_head_lock', 'audit_logs']) {
  const totalsMs: number[] = [];
  const triggerMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const plan = await explain(explainRows(table));
    totalsMs.push(plan['Execution Time']);
    triggerMs.push((plan.Triggers ?? []).reduce((sum, t) => sum + t.Time, 0));
  }
  console.log(
    `${table.padEnd(16)} ${((median(totalsMs) * 1000) / BATCH).toFixed(1).padStart(7)} µs/row, of which the row trigger ${((median(triggerMs) * 1000) / BATCH).toFixed(1).padStart(7)} µs/row`,
  );
}
const HASH_CALLS = 200;
const hashMs: number[] = [];
for (let i = 0; i < 5; i++) {
  const plan = await explain(sql`EXPLAIN (ANALYZE, FORMAT JSON)
    SELECT orgkit_audit_hash(g, g, now(), 'meeting.booked', 'success', ${ACTOR}, NULL, ${ONE_ORG},
      'meeting', 'mtg_1', NULL, NULL, NULL, ${JSON.stringify(changes.oldValues)}::jsonb,
      ${JSON.stringify(changes.newValues)}::jsonb, ${JSON.stringify(metadata)}::jsonb, repeat('0', 64))
    FROM generate_series(1, ${HASH_CALLS}) g`);
  hashMs.push(plan['Execution Time']);
}
console.log(
  `orgkit_audit_hash alone: ${((median(hashMs) * 1000) / HASH_CALLS).toFixed(1)} µs per call`,
);

// The numbers count only if the writes were right: every chain complete and linked.
const report = await orgkit.verifyAuditChain();
console.log(
  `\nverifyAuditChain: ${report.valid ? 'valid' : 'BROKEN'}, ${fmt(report.eventsChecked)} events in ${report.chains.length} chains`,
);
await database.close();
if (!report.valid) {
  console.log(`first problem: ${report.firstProblem?.message}`);
  process.exit(1);
}

console.log('');
const [, acrossOrgs] = SHAPES;
const singleRatio = perSecond(acrossOrgs!, 'orgkit') / perSecond(acrossOrgs!, 'plain');
reportTarget(
  `single events across ${ORGS} organizations / plain INSERT`,
  singleRatio,
  '≥ 0.70× the plain INSERT',
  singleRatio >= 0.7,
);
for (const shape of SHAPES.slice(2)) {
  const rate = perSecond(shape, 'orgkit');
  reportTarget(`${shape.label}, events/s`, rate, '≥ 20,000 events/s', rate >= 20_000);
}
