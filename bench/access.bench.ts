// Access accounting on real Postgres.
// 1. What `recordAccess` adds to a request: the same request (read 10 rows of a patient's notes
//    in a request scope) without accounting, with `recordAccess` (one grant lookup + one event,
//    awaited before the rows are returned), and with the peer an app would write by hand, one
//    awaited `logAuditEvent`. Samples alternate the three, one request at a time.
// 2. A person's access report (`accessReport`, every page, mapped) for a subject with 1,000
//    events in a table of ACCESS_BENCH_EVENTS events (default 1M; 10M is the target and
//    needs a larger machine or more time), against the same 1,000 events read through the btree
//    actor index (`exportAuditEvents({ actorId })`), and the memory of streaming a subject with
//    50,000 events. The big table is filled with INSERT … SELECT with the chain trigger off (the
//    chain is not what is measured; writing 1M events through the trigger takes minutes here).
import { sql } from 'drizzle-orm';
import { createOrgkit } from '../src/create-orgkit.js';
import { rowsOf } from '../src/db/database.js';
import type { Session } from '../src/session/types.js';
import { createTestDatabase } from '../src/testing/database.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = Number(process.env.ACCESS_BENCH_EVENTS ?? 1_000_000);
const LATENCY_SAMPLES = Number(process.env.ACCESS_BENCH_SAMPLES ?? 1_000);
const REPORT_RUNS = 21;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
try {
  database = await createTestDatabase({ url, maxConnections: 4 });
} catch (error) {
  console.log(`skipped: needs a real Postgres (DATABASE_URL): ${(error as Error).message}`);
  process.exit(0);
}
const { db } = database;
const [server] = rowsOf<{ version: string }>(
  await db.execute(sql`SELECT current_setting('server_version') AS version`),
);
console.log(`postgres: ${server!.version}`);

const orgkit = createOrgkit({
  database: db,
  access: { resourceTypes: { visit_note: { phi: true } } },
});
const ORG = 'org_bench_clinic';
const session: Session = {
  userId: 'user_bench_doctor',
  sessionId: 'session_bench',
  organizationId: ORG,
  role: 'clinician',
  roles: ['clinician'],
  permissions: ['audit:read'],
  entitlements: [],
  featureFlags: [],
  impersonator: undefined,
  expiresAt: Math.floor(Date.now() / 1000) + 3_600,
  claims: { sub: 'user_bench_doctor' },
};

// ---- 1. added latency per request ----
await db.execute(sql`
  CREATE TABLE bench_notes (id text PRIMARY KEY, patient_id text NOT NULL, body text NOT NULL);
  CREATE INDEX bench_notes_patient_idx ON bench_notes (patient_id);`);
await db.execute(sql`
  INSERT INTO bench_notes
  SELECT 'note_' || i, 'user_patient_' || (i % 1000), repeat('x', 200) FROM generate_series(1, 10000) i`);

type Row = { id: string; patient_id: string };
const readNotes = async (patient: string) =>
  rowsOf<Row>(
    await db.execute(sql`SELECT id, patient_id FROM bench_notes WHERE patient_id = ${patient}`),
  );
const SIDES = {
  'no accounting': async (patient: string) => readNotes(patient),
  recordAccess: async (patient: string) => {
    const rows = await readNotes(patient);
    await orgkit.recordAccess(
      'visit_note',
      rows.map((r) => r.id),
      { purpose: 'TREAT', subjectIds: [patient] },
    );
    return rows;
  },
  'logAuditEvent by hand': async (patient: string) => {
    const rows = await readNotes(patient);
    await orgkit.logAuditEvent('note.viewed', 'visit_note', null, null, {
      ids: rows.map((r) => r.id),
      patient,
    });
    return rows;
  },
};
const latencies = Object.fromEntries(Object.keys(SIDES).map((k) => [k, [] as number[]]));
const names = Object.keys(SIDES) as (keyof typeof SIDES)[];
for (let i = 0; i < LATENCY_SAMPLES + 50; i++) {
  const order = i % 2 === 0 ? names : [...names].reverse();
  for (const name of order) {
    const patient = `user_patient_${i % 1000}`;
    const started = performance.now();
    await orgkit.runWithRequestScope({ session, requestId: `req_${name}_${i}` }, () =>
      SIDES[name](patient),
    );
    if (i >= 50) latencies[name]!.push(performance.now() - started);
  }
}
const quantile = (v: number[], q: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))]!;
console.log(`\none request reading 10 rows, ${LATENCY_SAMPLES} each, one at a time:`);
for (const name of names) {
  console.log(
    `${name.padEnd(24)} p50 ${quantile(latencies[name]!, 0.5).toFixed(3)} ms  p99 ${quantile(latencies[name]!, 0.99).toFixed(3)} ms`,
  );
}
for (const name of ['recordAccess', 'logAuditEvent by hand'] as const) {
  const added = (q: number) =>
    (quantile(latencies[name]!, q) - quantile(latencies['no accounting']!, q)) * 1000;
  console.log(
    `added by ${name}: p50 ${added(0.5).toFixed(0)} µs, p99 ${added(0.99).toFixed(0)} µs`,
  );
}

// ---- 2. per-subject report over a big table ----
const SUBJECT = 'user_patient_target';
const BIG = 'user_patient_big';
const ACTOR = 'user_actor_target';
const started = performance.now();
await db.execute(sql`ALTER TABLE audit_logs DISABLE TRIGGER USER`);
await db.execute(sql`DROP INDEX audit_logs_subject_idx`);
// Background: EVENTS events over 100 organizations and EVENTS/10 subjects, one per event, over
// six years; the target subject's 1,000 events and the big subject's 50,000 spread among them.
const CHUNK = 500_000;
for (let from = 1; from <= EVENTS; from += CHUNK) {
  const to = Math.min(EVENTS, from + CHUNK - 1);
  await db.execute(sql`
    INSERT INTO audit_logs (occurred_at, action, outcome, actor_workos_user_id, workos_org_id,
      target_type, target_id, metadata, subject_ids, seq, prev_hash, hash)
    SELECT now() - make_interval(secs => (${EVENTS} - i) * (189216000.0 / ${EVENTS})),
      'access.read', 'success', 'user_staff_' || (i % 5000), 'org_' || (i % 100),
      'visit_note', 'note_' || i, '{"purpose":"TREAT","count":1}'::jsonb,
      ARRAY['user_patient_' || (i % ${Math.max(1, Math.floor(EVENTS / 10))})],
      i, repeat('0', 64), repeat('f', 64)
    FROM generate_series(${from}::bigint, ${to}::bigint) i`);
}
const spread = async (subject: string, actor: string, n: number, seqBase: number) =>
  db.execute(sql`
    INSERT INTO audit_logs (occurred_at, action, outcome, actor_workos_user_id, workos_org_id,
      target_type, target_id, metadata, subject_ids, seq, prev_hash, hash)
    SELECT now() - make_interval(secs => i * (189216000.0 / ${n})), 'access.read', 'success',
      ${actor}, 'org_target', 'visit_note', 'note_t' || i, '{"purpose":"TREAT","count":1}'::jsonb,
      ARRAY[${subject}], ${seqBase} + i, repeat('0', 64), repeat('f', 64)
    FROM generate_series(1, ${n}) i`);
await spread(SUBJECT, ACTOR, 1_000, 0);
await spread(BIG, 'user_actor_big', 50_000, 10_000);
await db.execute(sql`ALTER TABLE audit_logs ENABLE TRIGGER USER`);
await db.execute(sql`CREATE INDEX audit_logs_subject_idx ON audit_logs USING gin (subject_ids)`);
await db.execute(sql`ANALYZE audit_logs`);
const [size] = rowsOf<{ n: string; bytes: string; gin: string }>(
  await db.execute(sql`
    SELECT count(*)::text AS n, pg_size_pretty(pg_total_relation_size('audit_logs')) AS bytes,
      pg_size_pretty(pg_relation_size('audit_logs_subject_idx')) AS gin FROM audit_logs`),
);
console.log(
  `\naudit_logs: ${Number(size!.n).toLocaleString('en')} events (${size!.bytes}, subject index ${size!.gin}), filled in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);

const drain = async (items: AsyncIterable<unknown>) => {
  let n = 0;
  for await (const _ of items) n++;
  return n;
};
const timeRuns = async (run: () => Promise<number>) => {
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < REPORT_RUNS; i++) {
    const t = performance.now();
    count = await run();
    times.push(performance.now() - t);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), count };
};
const report = await timeRuns(() => drain(orgkit.accessReport({ subjectId: SUBJECT })));
const peer = await timeRuns(() => drain(orgkit.exportAuditEvents({ actorId: ACTOR })));
console.log(
  `accessReport, subject with 1,000 events: p50 ${report.p50.toFixed(1)} ms, p99 ${report.p99.toFixed(1)} ms (${report.count} lines, the report reads included)`,
);
console.log(
  `peer: the same 1,000 events by the btree actor index (exportAuditEvents): p50 ${peer.p50.toFixed(1)} ms, p99 ${peer.p99.toFixed(1)} ms`,
);
reportTarget(
  `per-subject report p50 over ${Number(size!.n).toLocaleString('en')} events, ms`,
  report.p50,
  '≤ 100 ms over 10M events',
  report.p50 <= 100,
);

// Memory while streaming the big subject's 50,000 events.
globalThis.gc?.();
const before = process.memoryUsage().rss;
let peak = before;
const t = performance.now();
let lines = 0;
for await (const _ of orgkit.accessReport({ subjectId: BIG })) {
  lines++;
  if (lines % 1_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
}
console.log(
  `accessReport, subject with 50,000 events: ${lines.toLocaleString('en')} lines in ${((performance.now() - t) / 1000).toFixed(1)} s, RSS ${(before / 2 ** 20).toFixed(0)} → peak ${(peak / 2 ** 20).toFixed(0)} MiB`,
);

await database.close();
