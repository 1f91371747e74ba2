// How the audit log behaves as it grows (issue 23: "keep writes, per-subject reports, chain
// verification and retention flat as the table grows: measure growth first, 1M → 10M events").
// One table is filled in steps (AUDIT_GROWTH_SIZES, default 100k and 1M; the issue's 10M with
// AUDIT_GROWTH_SIZES=100000,1000000,10000000) through the real chain trigger, so every event is
// hashed and linked and the chains verify. At each size, in the same run:
//   - single-event writes: 16 concurrent `logAuditEvent` writers over 100 organizations;
//   - a person's report (`accessReport`) for a subject with 1,000 events spread over the table;
//   - a full `verifyAuditChain()` (events/s), and an incremental one from a checkpoint after
//     10,000 new events;
//   - at sizes up to 1M, the memory of exporting every event (`exportAuditEvents`).
// The first size is the peer each later one is compared with.
import { sql } from 'drizzle-orm';
import { createOrgkit } from '../src/create-orgkit.js';
import { rowsOf } from '../src/db/database.js';
import { createTestDatabase } from '../src/testing/database.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SIZES = (process.env.AUDIT_GROWTH_SIZES ?? '100000,1000000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const ORGS = 100;
const PATIENTS = 100_000;
const TARGET_EVENTS = 1_000;
const WRITERS = 16;
const WRITE_MS = 3_000;
const REPORT_RUNS = 11;
const INCREMENT = 10_000;
// One statement per 10,000 rows: each event updates its organization's head row, and within one
// statement every update leaves a version the next lookup walks past, so 2,500 events per head
// in one statement (chunks of 250,000) made the fill quadratic (≈ 2,000 rows/s).
const FILL_CHUNK = 10_000;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
try {
  database = await createTestDatabase({ url, maxConnections: WRITERS });
} catch (error) {
  console.log(`skipped: needs a real Postgres (DATABASE_URL): ${(error as Error).message}`);
  process.exit(0);
}
const { db } = database;
const [server] = rowsOf<{ version: string; buffers: string }>(
  await db.execute(
    sql`SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS buffers`,
  ),
);
console.log(`postgres: ${server!.version}, shared_buffers ${server!.buffers}; sizes ${SIZES}`);

const orgkit = createOrgkit({ database: db, audit: { checkpointKey: 'b'.repeat(40) } });
const quantile = (v: number[], q: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))]!;
const seconds = (ms: number) => (ms / 1000).toFixed(1);

// Row i of the whole fill names a background patient, and also the target patient of every size
// S ≥ i whose 1,000 events fall on it (every S/1,000-th row up to S): each size has its own
// subject with 1,000 events spread evenly over the table as it is at that size.
const targetOf = (size: number) => `user_patient_target_${size}`;
const subjectsOf = SIZES.map(
  (size) =>
    sql`CASE WHEN i <= ${size} AND i % ${Math.max(1, Math.floor(size / TARGET_EVENTS))} = 0 THEN ${targetOf(size)} END`,
);
async function fillTo(from: number, to: number) {
  for (let start = from; start <= to; start += FILL_CHUNK) {
    const end = Math.min(to, start + FILL_CHUNK - 1);
    await db.execute(sql`
      INSERT INTO audit_logs (action, outcome, actor_workos_user_id, workos_org_id, target_type,
        target_id, metadata, subject_ids)
      SELECT 'access.read', 'success', 'user_staff_' || (i % 5000), 'org_' || (i % ${ORGS}),
        'visit_note', 'note_' || i, '{"purpose":"TREAT","count":1}'::jsonb,
        array_remove(ARRAY['user_patient_' || (i % ${PATIENTS}), ${sql.join(subjectsOf, sql`, `)}], NULL)
      FROM generate_series(${start}::bigint, ${end}::bigint) i`);
  }
}

async function singleWrites(): Promise<number> {
  let written = 0;
  const until = performance.now() + WRITE_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, lane) => {
      for (let n = 0; performance.now() < until; n++) {
        await orgkit.logAuditEvent(
          'booking.updated',
          'booking',
          `b_${lane}_${n}`,
          null,
          { lane },
          {
            actor: { userId: `user_${lane}` },
            organizationId: `org_${(lane * 7 + n) % ORGS}`,
          },
        );
        written++;
      }
    }),
  );
  return written / ((performance.now() - started) / 1000);
}

async function report(subjectId: string) {
  const times: number[] = [];
  let lines = 0;
  for (let run = 0; run < REPORT_RUNS; run++) {
    const t = performance.now();
    lines = 0;
    for await (const _ of orgkit.accessReport({ subjectId })) lines++;
    times.push(performance.now() - t);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), lines };
}

async function exportMemory() {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  let n = 0;
  const t = performance.now();
  for await (const _ of orgkit.exportAuditEvents()) {
    if (++n % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  return { n, seconds: (performance.now() - t) / 1000, before, peak };
}

interface Row {
  size: number;
  events: number;
  fillSeconds: number;
  tableSize: string;
  writesPerSecond: number;
  report: { p50: number; p99: number; lines: number };
  verifyPerSecond: number;
  verifySeconds: number;
  incrementalMs: number;
}
const results: Row[] = [];
let filled = 0;
for (const size of SIZES) {
  const t = performance.now();
  await fillTo(filled + 1, size);
  filled = size;
  await db.execute(sql`ANALYZE audit_logs`);
  const fillSeconds = (performance.now() - t) / 1000;
  const [stats] = rowsOf<{ n: string; total: string }>(
    await db.execute(
      sql`SELECT count(*)::text AS n, pg_size_pretty(pg_total_relation_size('audit_logs')) AS total FROM audit_logs`,
    ),
  );
  const events = Number(stats!.n);
  console.log(
    `\n${events.toLocaleString('en')} events (${stats!.total} with indexes; this step filled in ${seconds(fillSeconds * 1000)} s)`,
  );

  const writesPerSecond = await singleWrites();
  console.log(
    `single events, ${WRITERS} writers over ${ORGS} organizations: ${writesPerSecond.toFixed(0)}/s`,
  );

  const subject = await report(targetOf(size));
  console.log(
    `accessReport of a subject with ${TARGET_EVENTS} events: p50 ${subject.p50.toFixed(1)} ms, p99 ${subject.p99.toFixed(1)} ms (${subject.lines} lines, its own report reads included)`,
  );

  const v = performance.now();
  const full = await orgkit.verifyAuditChain();
  const verifySeconds = (performance.now() - v) / 1000;
  const verifyPerSecond = full.eventsChecked / verifySeconds;
  console.log(
    `verifyAuditChain(): ${full.valid ? 'valid' : 'BROKEN'}, ${full.eventsChecked.toLocaleString('en')} events in ${verifySeconds.toFixed(1)} s (${verifyPerSecond.toFixed(0)}/s)`,
  );

  const checkpoint = await orgkit.createAuditCheckpoint();
  for (let n = 0; n < INCREMENT; n += 1_000) {
    await orgkit.logAuditEvents(
      Array.from({ length: 1_000 }, (_, i) => ({
        action: 'booking.updated',
        resourceType: 'booking',
        resourceId: `inc_${n + i}`,
        actor: { userId: 'user_inc' },
        organizationId: `org_${(n + i) % ORGS}`,
      })),
    );
  }
  const inc = performance.now();
  const incremental = await orgkit.verifyAuditChain({ checkpoint, incremental: true });
  const incrementalMs = performance.now() - inc;
  console.log(
    `incremental verify after ${INCREMENT.toLocaleString('en')} new events: ${incremental.valid ? 'valid' : 'BROKEN'}, ${incremental.eventsChecked.toLocaleString('en')} events in ${incrementalMs.toFixed(0)} ms`,
  );
  reportTarget(
    `incremental verify of ${INCREMENT} new events over ${events.toLocaleString('en')}, ms`,
    incrementalMs,
    '≤ 1,000 ms',
    incrementalMs <= 1_000,
  );

  if (size <= 1_000_000) {
    const exported = await exportMemory();
    console.log(
      `exportAuditEvents(): ${exported.n.toLocaleString('en')} events in ${exported.seconds.toFixed(1)} s, RSS ${(exported.before / 2 ** 20).toFixed(0)} → peak ${(exported.peak / 2 ** 20).toFixed(0)} MiB`,
    );
    // The process already holds the pool, the bench's state and the JIT's code: what the export
    // adds is the figure that scales with the log; the whole process's peak is reported beside it.
    if (exported.n >= 1_000_000) {
      reportTarget(
        `export of ${exported.n.toLocaleString('en')} events, RSS added MiB (process peak ${(exported.peak / 2 ** 20).toFixed(0)} MiB)`,
        (exported.peak - exported.before) / 2 ** 20,
        '≤ 150 MB',
        exported.peak - exported.before <= 150 * 2 ** 20,
      );
    }
  }
  results.push({
    size,
    events,
    fillSeconds,
    tableSize: stats!.total,
    writesPerSecond,
    report: subject,
    verifyPerSecond,
    verifySeconds,
    incrementalMs,
  });
}

const [first] = results;
console.log(
  '\n| events | single writes/s (× first) | report p50 (p99) | verify events/s | incremental 10k |',
);
for (const r of results) {
  console.log(
    `| ${r.events.toLocaleString('en')} | ${r.writesPerSecond.toFixed(0)} (${(r.writesPerSecond / first!.writesPerSecond).toFixed(2)}×) | ${r.report.p50.toFixed(1)} ms (${r.report.p99.toFixed(1)}) | ${r.verifyPerSecond.toFixed(0)} | ${r.incrementalMs.toFixed(0)} ms |`,
  );
}
const last = results[results.length - 1]!;
if (results.length > 1) {
  reportTarget(
    `single-event writes at ${last.events.toLocaleString('en')} ÷ at ${first!.events.toLocaleString('en')}`,
    last.writesPerSecond / first!.writesPerSecond,
    '≥ 0.9×',
    last.writesPerSecond / first!.writesPerSecond >= 0.9,
  );
}
reportTarget(
  `per-subject report p50 over ${last.events.toLocaleString('en')} events, ms`,
  last.report.p50,
  '≤ 100 ms over 10M events',
  last.report.p50 <= 100,
);

await database.close();
