// Row-level security on real Postgres: queries under the policies generateRlsSql writes, run as
// the request role through withRls, against the same query with an explicit WHERE as the owner
// (RLS off), on 1,000,000 rows across 1,000 organizations. Beside them, in the same run, the
// other shapes: for an org-scoped table the naive hand-written policy (the claim read unwrapped,
// compared per row, no index) and the same unwrapped policy with the index; for the shared
// org-or-guest table two separate permissive policies (`permissivePolicies: 'separate'`) beside
// the generated single combined one (decision 180). Every shape is a page
// (`ORDER BY id LIMIT 50`) and a `count(*)`.
// The figure is the query's own round trip inside its transaction; what withRls adds around it
// per request (BEGIN, the role, the claims, COMMIT) is measured apart, with the shape that sets
// role and claims in one statement. One EXPLAIN per shape prints the plan, and every answer is
// checked against the owner's, so the numbers come from correct queries.
import os from 'node:os';
import { type SQL, sql } from 'drizzle-orm';
import { rowsOf } from '../src/db/database.js';
import { claimReaders, wrapped } from '../src/rls/claims.js';
import { defineRlsModel, generateRlsSql, withRls } from '../src/rls/index.js';
import { rlsClaims } from '../src/rls/with-rls.js';
import type { Session } from '../src/session/types.js';
import { createTestDatabase } from '../src/testing/database.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average at the start: ${load()}`);

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// ORGKIT_BENCH_RLS_ROWS: a smaller table while developing; the published numbers use 1,000,000.
const ROWS = Number(process.env.ORGKIT_BENCH_RLS_ROWS ?? 1_000_000);
const ORGS = 1_000;
const GUESTS = 200_000; // five meetings each
const PAGE = 50;
const ROUNDS = 3;
// Iterations per round for each query; a slow shape runs on every `every`-th iteration only.
const ITERATIONS = { page: 100, count: 300 } as const;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
try {
  database = await createTestDatabase({ url, maxConnections: 2 });
} catch (error) {
  console.log(
    `skipped: the RLS benchmark needs a real Postgres (DATABASE_URL, tried ${url.replace(/\/\/[^@]*@/, '//…@')}): ${(error as Error).message}`,
  );
  process.exit(0);
}
const { db, schema } = database;
const script = (text: string) =>
  (db as unknown as { $client: { query: (t: string) => Promise<unknown> } }).$client.query(text);
const [server] = rowsOf<Record<string, string>>(
  await db.execute(sql`SELECT current_setting('server_version') AS version,
    current_setting('shared_buffers') AS shared_buffers, current_setting('work_mem') AS work_mem,
    current_setting('jit') AS jit,
    current_setting('max_parallel_workers_per_gather') AS parallel,
    current_setting('random_page_cost') AS random_page_cost`),
);
console.log(
  `postgres: ${server!.version} (shared_buffers ${server!.shared_buffers}, work_mem ${server!.work_mem}, jit ${server!.jit}, max_parallel_workers_per_gather ${server!.parallel}, random_page_cost ${server!.random_page_cost})`,
);

// Everything below runs in the private schema, dropped at the end even when a step fails.
try {
  // The tables of test/rls/support.ts (FIXTURE_DDL), under the rules of its appModel.
  const model = defineRlsModel({
    tables: {
      events: { kind: 'org', organizationColumn: 'workos_org_id' },
      meetings: {
        kind: 'shared',
        organizationColumn: 'expert_org_id',
        sharedUserColumn: 'guest_workos_user_id',
        commands: { delete: { permission: 'meetings:delete' } },
      },
    },
  });

  const orgId = (i: number) => `org_${String(i % ORGS).padStart(4, '0')}`;
  const guestId = (i: number) => `user_guest_${String(i % GUESTS).padStart(6, '0')}`;

  // One INSERT … SELECT per table, keys and indexes built afterwards. Organizations are
  // interleaved (row g belongs to g mod 1000), as rows of many active organizations are; every
  // meeting has a guest, and a multiplier coprime to the guest count gives each of the 200,000
  // guests five meetings scattered over the table.
  const loadStarted = performance.now();
  await script(`
CREATE TABLE events (id text NOT NULL, workos_org_id text NOT NULL, title text NOT NULL DEFAULT '');
CREATE TABLE meetings (id text NOT NULL, expert_org_id text NOT NULL, guest_workos_user_id text, title text NOT NULL DEFAULT '');`);
  await Promise.all([
    script(`
INSERT INTO events (id, workos_org_id, title)
  SELECT 'evt_' || lpad(g::text, 7, '0'), 'org_' || lpad((g % ${ORGS})::text, 4, '0'), 'Event ' || g
  FROM generate_series(1, ${ROWS}) g;
ALTER TABLE events ADD PRIMARY KEY (id);`),
    script(`
INSERT INTO meetings (id, expert_org_id, guest_workos_user_id, title)
  SELECT 'mtg_' || lpad(g::text, 7, '0'), 'org_' || lpad((g % ${ORGS})::text, 4, '0'),
    'user_guest_' || lpad(((g::bigint * 7919) % ${GUESTS})::text, 6, '0'), 'Meeting ' || g
  FROM generate_series(1, ${ROWS}) g;
ALTER TABLE meetings ADD PRIMARY KEY (id);`),
  ]);
  // The comparison tables: row-for-row copies in the same physical order, each with only its own
  // policy (permissive policies on one table would be OR-ed together).
  const copy = (table: string, source: string, indexes: string[]) => `
CREATE TABLE ${table} (LIKE ${source});
INSERT INTO ${table} SELECT * FROM ${source};
ALTER TABLE ${table} ADD PRIMARY KEY (id);
${indexes.map((column) => `CREATE INDEX ON ${table} (${column});`).join('\n')}`;
  await Promise.all([
    script(
      copy('events_naive', 'events', []) + copy('events_unwrapped', 'events', ['workos_org_id']),
    ),
    script(copy('meetings_separate', 'meetings', ['expert_org_id', 'guest_workos_user_id'])),
  ]);
  await script(generateRlsSql(model, { target: 'postgres', schema }));
  const claims = claimReaders('postgres');
  // The claim read as people write it by hand: not in a sub-select at all.
  const unwrappedOrg = `nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'org_id'`;
  const handWritten: Record<string, string[]> = {
    events_naive: [`workos_org_id = (${unwrappedOrg})`],
    events_unwrapped: [`workos_org_id = (${unwrappedOrg})`],
    // What generateRlsSql writes with permissivePolicies: 'separate'.
    meetings_separate: [
      `expert_org_id = ${wrapped(claims.organizationId)}`,
      `guest_workos_user_id = ${wrapped(claims.userId)}`,
    ],
  };
  for (const [table, policies] of Object.entries(handWritten)) {
    await script(`
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
GRANT SELECT ON ${table} TO authenticated;
${policies.map((using, n) => `CREATE POLICY ${table}_select_${n} ON ${table} AS PERMISSIVE FOR SELECT TO authenticated USING (${using});`).join('\n')}`);
  }
  // VACUUM as autovacuum would have by now (the visibility map lets counts read the index only).
  // One statement per call: VACUUM refuses to run inside the transaction a multi-statement call is.
  const vacuum = async (tables: string[]) => {
    for (const table of tables) await script(`VACUUM ANALYZE ${table}`);
  };
  await Promise.all([
    vacuum(['events', 'events_naive', 'events_unwrapped']),
    vacuum(['meetings', 'meetings_separate']),
  ]);
  console.log(
    `loaded ${ROWS.toLocaleString('en-US')} events over ${ORGS} organizations and ${ROWS.toLocaleString('en-US')} meetings (${GUESTS.toLocaleString('en-US')} guests, 5 meetings each), copies, policies, indexes, VACUUM ANALYZE: ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`,
  );

  // A member of organization i who is also the guest of five meetings elsewhere, with the claims
  // of a WorkOS access token (the naive policy parses them on every row, so their size counts).
  const sessionFor = (i: number): Session => {
    const userId = guestId(i * 7);
    const organizationId = orgId(i);
    const expiresAt = Math.floor(Date.now() / 1000) + 300;
    return {
      userId,
      sessionId: `session_${i}`,
      organizationId,
      role: 'member',
      roles: ['member'],
      permissions: ['meetings:read', 'meetings:write', 'events:read'],
      entitlements: [],
      featureFlags: [],
      impersonator: undefined,
      expiresAt,
      claims: {
        iss: 'https://api.workos.com/user_management/client_01BENCH',
        sub: userId,
        sid: `session_${i}`,
        jti: `01JBENCH${i}`,
        org_id: organizationId,
        role: 'member',
        roles: ['member'],
        permissions: ['meetings:read', 'meetings:write', 'events:read'],
        entitlements: [],
        feature_flags: [],
        exp: expiresAt,
        iat: expiresAt - 300,
      },
    };
  };
  const sessions = Array.from({ length: ORGS }, (_, i) => sessionFor(i));

  type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];
  interface Sample {
    /** The query's own round trip, ms. */
    query: number;
    /** The whole call, transaction included, ms. */
    total: number;
    /** The answer, to compare with the owner's. */
    answer: string;
  }
  const timedQuery = async (tx: Tx | typeof db, query: SQL) => {
    const started = performance.now();
    const rows = rowsOf<Record<string, unknown>>(await tx.execute(query));
    return { ms: performance.now() - started, answer: rows.map((r) => Object.values(r)[0]).join() };
  };
  const timed = async (run: () => Promise<{ ms: number; answer: string }>): Promise<Sample> => {
    const started = performance.now();
    const { ms, answer } = await run();
    return { query: ms, total: performance.now() - started, answer };
  };

  /** One way of running a query: as whom, which SQL, how often. */
  interface Side {
    label: string;
    /** `rls`: the request role through withRls; `owner`: the tables' owner (a superuser here, so RLS is off). */
    as: 'rls' | 'owner';
    text: (i: number) => SQL;
    /** Runs on every `every`-th iteration only (the slow shapes). */
    every?: number;
  }
  /**
   * `fn` in a transaction as the side's role: withRls (BEGIN, one set_config statement, …,
   * COMMIT), or the owner's transaction of the same shape without the settings.
   */
  const inTransaction = <T>(side: Side, i: number, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    side.as === 'rls' ? withRls(db, sessions[i]!, fn) : db.transaction(fn);
  const sample = (side: Side, i: number) =>
    timed(() => inTransaction(side, i, (tx) => timedQuery(tx, side.text(i))));

  interface PlanNode {
    'Node Type': string;
    'Parent Relationship'?: string;
    'Index Name'?: string;
    'Relation Name'?: string;
    'Parallel Aware'?: boolean;
    Filter?: string;
    'Index Cond'?: string;
    Plans?: PlanNode[];
  }
  interface Explained {
    Plan: PlanNode;
    'Execution Time'?: number;
  }
  const explain = async (side: Side, i: number, analyze: boolean): Promise<Explained> => {
    const options = sql.raw(analyze ? '(ANALYZE, TIMING OFF, FORMAT JSON)' : '(FORMAT JSON)');
    const rows = await inTransaction(side, i, async (tx) =>
      rowsOf<{ 'QUERY PLAN': Explained[] }>(
        await tx.execute(sql`EXPLAIN ${options} ${side.text(i)}`),
      ),
    );
    return rows[0]!['QUERY PLAN'][0]!;
  };
  /**
   * The plan in one line: the node tree (scan, index, whether it filters rows or seeks with an
   * index condition), and whether the claim is read once (InitPlan), per row inside a Filter, or
   * per row by a SubPlan.
   */
  function describePlan(root: PlanNode): string {
    const subplans: string[] = [];
    const walk = (node: PlanNode): string => {
      const children: string[] = [];
      for (const child of node.Plans ?? []) {
        const relation = child['Parent Relationship'];
        if (relation === 'InitPlan' || relation === 'SubPlan') subplans.push(relation);
        else children.push(walk(child));
      }
      const on = node['Index Name'] ?? node['Relation Name'];
      const readsClaim = (text?: string) => text?.includes('current_setting') ?? false;
      const cond = node['Index Cond']
        ? readsClaim(node['Index Cond'])
          ? ' [Index Cond, claim read at scan start]'
          : ' [Index Cond]'
        : '';
      const filter = node.Filter
        ? readsClaim(node.Filter)
          ? ' [Filter, claim read per row]'
          : ' [Filter]'
        : '';
      const label = `${node['Parallel Aware'] ? 'Parallel ' : ''}${node['Node Type']}${on ? ` ${on}` : ''}${cond}${filter}`;
      if (children.length === 0) return label;
      return `${label} > ${children.length > 1 ? `(${children.join(' + ')})` : children[0]}`;
    };
    const tree = walk(root);
    const counted = ['InitPlan', 'SubPlan']
      .map((kind) => [kind, subplans.filter((s) => s === kind).length] as const)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind} ×${n}`);
    return `${tree}; ${counted.length ? counted.join(', ') : 'no InitPlan or SubPlan'}`;
  }

  interface Shape {
    label: string;
    kind: keyof typeof ITERATIONS;
    /** Target: the generated policy's p50 at most this many times the peer's. */
    target: number;
    /** The explicit WHERE as the owner, RLS off: what every other side is compared with. */
    peer: Side;
    generated: Side;
    others: Side[];
  }
  const page = (table: string) => () => sql.raw(`SELECT * FROM ${table} ORDER BY id LIMIT ${PAGE}`);
  const count = (table: string) => () => sql.raw(`SELECT count(*) FROM ${table}`);
  const eventsWhere = (i: number) => sql`WHERE workos_org_id = ${orgId(i)}`;
  const meetingsWhere = (i: number) =>
    sql`WHERE expert_org_id = ${orgId(i)} OR guest_workos_user_id = ${sessions[i]!.userId}`;
  const PEER = 'owner, explicit WHERE (RLS off)';
  const GENERATED = 'generated policies, withRls';
  const SHAPES: Shape[] = [
    {
      label: `events: page (ORDER BY id LIMIT ${PAGE})`,
      kind: 'page',
      target: 1.2,
      peer: {
        label: PEER,
        as: 'owner',
        text: (i) => sql`SELECT * FROM events ${eventsWhere(i)} ORDER BY id LIMIT ${PAGE}`,
      },
      generated: { label: GENERATED, as: 'rls', text: page('events') },
      others: [
        { label: 'unwrapped claim, indexed', as: 'rls', text: page('events_unwrapped'), every: 10 },
        { label: 'naive: unwrapped, no index', as: 'rls', text: page('events_naive'), every: 10 },
      ],
    },
    {
      label: 'events: count(*)',
      kind: 'count',
      target: 1.2,
      peer: {
        label: PEER,
        as: 'owner',
        text: (i) => sql`SELECT count(*) FROM events ${eventsWhere(i)}`,
      },
      generated: { label: GENERATED, as: 'rls', text: count('events') },
      others: [
        { label: 'unwrapped claim, indexed', as: 'rls', text: count('events_unwrapped') },
        { label: 'naive: unwrapped, no index', as: 'rls', text: count('events_naive'), every: 150 },
      ],
    },
    {
      label: `meetings (org or guest): page (ORDER BY id LIMIT ${PAGE})`,
      kind: 'page',
      target: 2,
      peer: {
        label: PEER,
        as: 'owner',
        text: (i) => sql`SELECT * FROM meetings ${meetingsWhere(i)} ORDER BY id LIMIT ${PAGE}`,
      },
      generated: { label: GENERATED, as: 'rls', text: page('meetings') },
      others: [
        { label: 'two permissive policies (separate)', as: 'rls', text: page('meetings_separate') },
      ],
    },
    {
      label: 'meetings (org or guest): count(*)',
      kind: 'count',
      target: 2,
      peer: {
        label: PEER,
        as: 'owner',
        text: (i) => sql`SELECT count(*) FROM meetings ${meetingsWhere(i)}`,
      },
      generated: { label: GENERATED, as: 'rls', text: count('meetings') },
      others: [
        {
          label: 'two permissive policies (separate)',
          as: 'rls',
          text: count('meetings_separate'),
        },
      ],
    },
  ];
  const sidesOf = (s: Shape) => [s.peer, s.generated, ...s.others];

  // What withRls costs a request around the query (BEGIN, one SELECT of two set_config calls,
  // COMMIT), against the owner's single autocommit statement and the two-statement shape withRls
  // used before decision 105 (SET LOCAL ROLE, then set_config).
  const eventsCount = SHAPES[1]!;
  const REQUEST_SIDES = {
    owner: {
      label: 'owner, one autocommit statement (RLS off)',
      run: (i: number) => timed(() => timedQuery(db, eventsCount.peer.text(i))),
    },
    withRls: {
      label: 'withRls: BEGIN, set_config(role) + set_config(claims), query, COMMIT',
      run: (i: number) => sample(eventsCount.generated, i),
    },
    twoStatements: {
      label: 'BEGIN, SET LOCAL ROLE, set_config(claims), query, COMMIT',
      run: (i: number) =>
        timed(() =>
          db.transaction(async (tx) => {
            const claimsJson = JSON.stringify(rlsClaims(sessions[i]!));
            await tx.execute(sql.raw('SET LOCAL ROLE "authenticated"'));
            await tx.execute(sql`SELECT set_config('request.jwt.claims', ${claimsJson}, true)`);
            return timedQuery(tx, eventsCount.generated.text(i));
          }),
        ),
    },
  };
  const REQUEST_ITERATIONS = 300;

  // Warm-up, and the check that every side returns the owner's answer.
  const measureStarted = performance.now();
  const check = (what: string, answers: Map<string, string>) => {
    if (new Set(answers.values()).size > 1) {
      throw new Error(
        `${what}: the sides disagree: ${JSON.stringify(Object.fromEntries(answers))}`,
      );
    }
  };
  for (const s of SHAPES) {
    for (let i = 0; i < 3; i++) {
      const answers = new Map<string, string>();
      for (const side of sidesOf(s)) answers.set(side.label, (await sample(side, i)).answer);
      check(`${s.label}, organization ${orgId(i)}`, answers);
    }
  }
  for (const side of Object.values(REQUEST_SIDES)) for (let i = 0; i < 20; i++) await side.run(i);

  // Rounds over the shapes; within a shape, iteration k asks for organization k's rows on every
  // side, starting with a different side each time so cache warmth falls on all sides alike.
  const samples = new Map<Side, Sample[]>();
  const requestSamples = new Map<string, Sample[]>();
  const add = <K>(map: Map<K, Sample[]>, key: K, value: Sample) =>
    map.set(key, [...(map.get(key) ?? []), value]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of SHAPES) {
      const n = ITERATIONS[s.kind];
      for (let k = 0; k < n; k++) {
        const i = (round * n + k) % ORGS;
        const sides = sidesOf(s).filter((side) => k % (side.every ?? 1) === 0);
        const answers = new Map<string, string>();
        for (let j = 0; j < sides.length; j++) {
          const side = sides[(j + k) % sides.length]!;
          const result = await sample(side, i);
          add(samples, side, result);
          answers.set(side.label, result.answer);
        }
        check(`${s.label}, organization ${orgId(i)}`, answers);
      }
    }
    const names = Object.keys(REQUEST_SIDES) as (keyof typeof REQUEST_SIDES)[];
    for (let k = 0; k < REQUEST_ITERATIONS; k++) {
      const i = (round * REQUEST_ITERATIONS + k) % ORGS;
      for (let j = 0; j < names.length; j++) {
        const name = names[(j + k) % names.length]!;
        add(requestSamples, name, await REQUEST_SIDES[name].run(i));
      }
    }
  }

  // One EXPLAIN per side for its plan, and the server's own execution time (EXPLAIN ANALYZE,
  // TIMING OFF), which leaves the round trip out: the median of five runs for one organization,
  // so the first run warms the copy tables' pages as the peer's run warmed the originals (one
  // run for the slow shapes).
  const plans = new Map<Side, string>();
  const serverMs = new Map<Side, number>();
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  const quantile = (v: number[], q: number) =>
    [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))]!;
  for (const s of SHAPES) {
    for (const side of sidesOf(s)) {
      plans.set(side, describePlan((await explain(side, 7, false)).Plan));
      const times: number[] = [];
      for (let run = 0; run < (side.every ? 1 : 5); run++) {
        times.push((await explain(side, 11, true))['Execution Time']!);
      }
      serverMs.set(side, median(times));
    }
  }
  console.log(
    `measured in ${((performance.now() - measureStarted) / 1000).toFixed(1)} s; load average at the end: ${load()}`,
  );

  const ms = (v: number) => v.toFixed(3).padStart(8);
  const p50 = (side: Side) =>
    quantile(
      samples.get(side)!.map((x) => x.query),
      0.5,
    );
  const p95 = (side: Side) =>
    quantile(
      samples.get(side)!.map((x) => x.query),
      0.95,
    );
  console.log(
    `\nthe query's round trip inside its transaction, ms (${ROUNDS} rounds; p50 / p95 over n samples, each for another organization; server: EXPLAIN ANALYZE execution time for one organization, warm):`,
  );
  for (const s of SHAPES) {
    console.log(`\n${s.label}`);
    for (const side of sidesOf(s)) {
      const ratio = side === s.peer ? '' : `  ×${(p50(side) / p50(s.peer)).toFixed(2)} the peer`;
      console.log(
        `  ${side.label.padEnd(34)} p50 ${ms(p50(side))}  p95 ${ms(p95(side))}  n ${String(samples.get(side)!.length).padStart(4)}  server ${ms(serverMs.get(side)!)}${ratio}`,
      );
      console.log(`  ${''.padEnd(34)} plan: ${plans.get(side)}`);
    }
  }

  console.log(
    `\nper request: the whole call for events count(*), ms (${ROUNDS} × ${REQUEST_ITERATIONS} each, alternating):`,
  );
  const requestTotals = (name: keyof typeof REQUEST_SIDES) =>
    requestSamples.get(name)!.map((x) => x.total);
  for (const name of Object.keys(REQUEST_SIDES) as (keyof typeof REQUEST_SIDES)[]) {
    const totals = requestTotals(name);
    const around = requestSamples.get(name)!.map((x) => x.total - x.query);
    console.log(
      `  ${REQUEST_SIDES[name].label.padEnd(62)} p50 ${ms(quantile(totals, 0.5))}  p95 ${ms(quantile(totals, 0.95))}  around the query p50 ${ms(quantile(around, 0.5))}`,
    );
  }
  const perRequest = (name: keyof typeof REQUEST_SIDES) =>
    quantile(requestTotals(name), 0.5) / quantile(requestTotals('owner'), 0.5);
  console.log(
    `  withRls / owner ${perRequest('withRls').toFixed(2)}×, two-statement settings / owner ${perRequest('twoStatements').toFixed(2)}× (not targets: the transaction's round trips, not the policy)`,
  );

  console.log('');
  for (const s of SHAPES) {
    const ratio = p50(s.generated) / p50(s.peer);
    reportTarget(
      `${s.label}: generated policies / explicit WHERE, p50`,
      ratio,
      `≤ ${s.target}× the explicit WHERE`,
      ratio <= s.target,
    );
  }
  for (const s of SHAPES) {
    for (const side of s.others) {
      console.log(
        `reference ${s.label}: ${side.label} / explicit WHERE, p50: ${(p50(side) / p50(s.peer)).toFixed(2)} (not a target)`,
      );
    }
  }
} finally {
  await database.close();
}
