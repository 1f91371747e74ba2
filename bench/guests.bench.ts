// Guest provisioning (`createOrGetGuestUser`) against the seed app's hand-written flow (seed plan
// 2.1: listUsers by email → createUser → createOrganization → owner membership → magic auth),
// both through the real @workos-inc/node client against the official WorkOS emulator:
//  1. WorkOS requests per new and per returning guest (and per guest in a few in-between states);
//  2. 200 distinct new guests at once through a 500 POST / 10 s limiter (createFaultyFetch as the
//     SDK's fetchFn): wall time, 429s, failures, and what is left in WorkOS afterwards.
// orgkit runs on embedded PGlite, and on Postgres too when DATABASE_URL is set; the seed flow keeps
// no database of its own, so it runs once. Every run gets a fresh emulator with a pool of API keys,
// so the emulator's own limiter (1,000 requests per key per 60 s) never fires; the lowest
// X-RateLimit-Remaining it reported is printed with each run.
import type { WorkOS } from '@workos-inc/node';
import { createOrgkit, type Orgkit } from '../src/create-orgkit.js';
import type { OrgkitDatabase } from '../src/db/database.js';
import { createTestDatabase } from '../src/testing/database.js';
import { startWorkOSEmulator } from '../src/testing/emulator.js';
import { createFaultyFetch } from '../src/testing/fault-fetch.js';
import { createWorkOSTestClient } from '../src/testing/workos-client.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());

const targets = [
  { name: 'pglite', url: undefined },
  ...(process.env.DATABASE_URL ? [{ name: 'postgres', url: process.env.DATABASE_URL }] : []),
];
const GUESTS = 200;
const WRITE_LIMIT = { limit: 500, windowMs: 10_000, method: 'POST' };
const KEYS_PER_SIDE = 4;

interface Guest {
  email: string;
  firstName?: string;
  lastName?: string;
}
interface Provisioned {
  workosUserId: string;
  organizationId: string | undefined;
}
type Provision = (guest: Guest) => Promise<Provisioned>;

/**
 * The seed's guest service as its plan lists it (2.1), with no claim and no retries beyond the
 * SDK's. A returning guest is looked up in WorkOS with their membership, since a booking stores
 * the guest's organization id (seed 2.2); like the seed, a failed magic-auth send does not fail
 * the booking. (The seed app's own code reads its tables before asking WorkOS; the plan's flow,
 * used here, is what an app without a mirror does.)
 */
async function seedCreateOrGetGuestUser(workos: WorkOS, guest: Guest): Promise<Provisioned> {
  const um = workos.userManagement;
  const [existing] = (await um.listUsers({ email: guest.email })).data;
  if (existing) {
    const [membership] = (await um.listOrganizationMemberships({ userId: existing.id })).data;
    return { workosUserId: existing.id, organizationId: membership?.organizationId };
  }
  const user = await um.createUser({
    email: guest.email,
    firstName: guest.firstName,
    lastName: guest.lastName,
    emailVerified: false,
  });
  const org = await workos.organizations.createOrganization({
    name: `${guest.firstName ?? guest.email}'s Account`,
  });
  await um.createOrganizationMembership({
    userId: user.id,
    organizationId: org.id,
    roleSlug: 'owner',
  });
  await um.createMagicAuth({ email: guest.email }).catch(() => undefined);
  return { workosUserId: user.id, organizationId: org.id };
}

/** Sends each request with the next key of a pool and notes what the emulator's limiter says. */
function keyPool(keys: string[]) {
  let next = 0;
  const stats = { minRemaining: Number.POSITIVE_INFINITY, emulator429: 0 };
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${keys[next++ % keys.length]}`);
    const response = await fetch(input, { ...init, headers });
    const remaining = response.headers.get('x-ratelimit-remaining');
    if (remaining !== null) {
      stats.minRemaining = Math.min(stats.minRemaining, Number(remaining));
      if (response.status === 429) stats.emulator429++;
    }
    return response;
  }) as typeof fetch;
  return { fetchFn, stats };
}

/** Records every request the SDK sends (`METHOD /path`) and the status it got back. */
function recorder(next: typeof fetch) {
  const requests: { call: string; status: number; sentAt: number }[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const call = `${(init?.method ?? 'GET').toUpperCase()} ${url.pathname}`;
    const entry = { call, status: 0, sentAt: performance.now() };
    requests.push(entry);
    const response = await next(input, init);
    entry.status = response.status;
    return response;
  }) as typeof fetch;
  return { fetchFn, requests };
}

/** A fresh emulator; `client()` gives a side's SDK client over its own recorder and key pool. */
async function openLab() {
  const keys = Array.from({ length: 1 + KEYS_PER_SIDE * 2 }, (_, i) => `sk_test_bench_${i}`);
  const emulator = await startWorkOSEmulator({
    seed: { apiKeys: Object.fromEntries(keys.map((k) => [k, { environment: 'test' }])) },
  });
  const inspector = emulator.createClient({ maxRetries: 0 });
  let side = 0;
  return {
    emulator,
    inspector,
    async client(options: { rateLimited?: boolean; maxRetries?: number } = {}) {
      const first = 1 + KEYS_PER_SIDE * side++;
      const pool = keyPool(keys.slice(first, first + KEYS_PER_SIDE));
      const faulty = createFaultyFetch({
        fetch: pool.fetchFn,
        rateLimit: options.rateLimited ? WRITE_LIMIT : undefined,
      });
      const wire = recorder(faulty);
      const workos = await createWorkOSTestClient({
        url: emulator.url,
        apiKey: keys[first]!,
        fetchFn: wire.fetchFn,
        maxRetries: options.maxRetries,
      });
      return { workos, wire, pool: pool.stats };
    },
    close: () => emulator.close(),
  };
}
type Lab = Awaited<ReturnType<typeof openLab>>;

// The bench measures provisioning, calling one email and one process far more often than the
// default guest limits allow: they are off here.
function openOrgkit(db: OrgkitDatabase, workos: WorkOS, guests?: { magicAuthWindowMs: number }) {
  return createOrgkit({
    database: db,
    workos,
    clientId: 'client_orgkit_test',
    guests: { ...guests, limits: false },
  });
}
const viaOrgkit =
  (orgkit: Orgkit): Provision =>
  async (guest) => {
    const r = await orgkit.createOrGetGuestUser(guest);
    return { workosUserId: r.workosUserId, organizationId: r.organizationId };
  };

// No `limit`: the SDK's autoPagination returns only the first page when one is given.
async function all<T>(page: Promise<{ autoPagination(): Promise<T[]> }>): Promise<T[]> {
  return (await page).autoPagination();
}

/** What WorkOS holds for these emails: their users, the organizations they own, orphans. */
async function workosState(inspector: WorkOS, emails: string[]) {
  const [allUsers, orgs, memberships] = await Promise.all([
    all(inspector.userManagement.listUsers()),
    all(inspector.organizations.listOrganizations()),
    // The emulator lists every membership when neither userId nor organizationId is given.
    all(inspector.userManagement.listOrganizationMemberships({} as never)),
  ]);
  const wanted = new Set(emails);
  const users = allUsers.filter((u) => wanted.has(u.email));
  const userIds = new Set(users.map((u) => u.id));
  const owned = memberships.filter((m) => userIds.has(m.userId) && m.role.slug === 'owner');
  const ownedBy = new Map<string, number>();
  for (const m of owned) ownedBy.set(m.userId, (ownedBy.get(m.userId) ?? 0) + 1);
  const usersByEmail = new Map<string, string[]>();
  for (const u of users) usersByEmail.set(u.email, [...(usersByEmail.get(u.email) ?? []), u.id]);
  const memberOrgs = new Set(memberships.map((m) => m.organizationId));
  return {
    users: users.length,
    ownedOrganizations: new Set(owned.map((m) => m.organizationId)).size,
    emailsWithTwoUsers: emails.filter((e) => (usersByEmail.get(e)?.length ?? 0) > 1).length,
    usersWithTwoOrgs: users.filter((u) => (ownedBy.get(u.id) ?? 0) > 1).length,
    usersWithoutOrg: users.filter((u) => !ownedBy.has(u.id)).length,
    orphanOrganizations: orgs.filter((o) => !memberOrgs.has(o.id)).length,
    complete: emails.filter((e) => (usersByEmail.get(e) ?? []).some((id) => ownedBy.has(id)))
      .length,
  };
}

const guestNo = (run: string, i: number): Guest => ({
  email: `guest-${i}@${run}.example.com`,
  firstName: 'Guest',
  lastName: String(i),
});

// ---------------------------------------------------------------- 1. requests per guest

interface CountRow {
  path: string;
  requests: number;
  calls: string;
  /** Median time per call, when a series was timed. */
  medianMs?: number;
  note?: string;
}
const countRows: CountRow[] = [];
const newGuestCounts: { name: string; max: number }[] = [];
const returningCounts: { name: string; max: number }[] = [];
const SERIES = 20;

async function countRequests(wire: { requests: { call: string }[] }, fn: () => Promise<unknown>) {
  const before = wire.requests.length;
  await fn();
  const calls = wire.requests.slice(before).map((r) => r.call);
  return { requests: calls.length, calls: calls.join(', ') || '—' };
}

/** Provisions guests one after another: the most requests any took, and the median time. */
async function series(wire: { requests: { call: string }[] }, provision: Provision, from = 0) {
  const counts = [];
  const times = [];
  for (let i = from; i < from + SERIES; i++) {
    const started = performance.now();
    counts.push(await countRequests(wire, () => provision(guestNo('c', i))));
    times.push(performance.now() - started);
  }
  const most = counts.reduce((a, b) => (b.requests > a.requests ? b : a));
  return { ...most, medianMs: times.sort((a, b) => a - b)[SERIES >> 1]! };
}

async function countSeed() {
  const lab = await openLab();
  try {
    const { workos, wire } = await lab.client();
    const seed: Provision = (guest) => seedCreateOrGetGuestUser(workos, guest);
    await seed(guestNo('warm-up', 0));
    const fresh = await series(wire, seed);
    const back = await series(wire, seed);
    countRows.push({ path: 'seed: new guest', ...fresh }, { path: 'seed: returning', ...back });
    const race = await raceOneEmail(lab, (w) => (g) => seedCreateOrGetGuestUser(w, g));
    countRows.push({ path: 'seed: 10 calls at once, one new email', ...race });
  } finally {
    await lab.close();
  }
}

/** Ten calls at once for one new email: requests, what the callers got, what WorkOS keeps. */
async function raceOneEmail(lab: Lab, make: (workos: WorkOS) => Provision) {
  const { workos, wire } = await lab.client();
  const guest = { email: 'racer@example.com', firstName: 'Racer' };
  const settled = await Promise.allSettled(Array.from({ length: 10 }, () => make(workos)(guest)));
  const got = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const state = await workosState(lab.inspector, [guest.email]);
  const codes = wire.requests.filter((r) => r.call.endsWith('/magic_auth') && r.status < 300);
  return {
    requests: wire.requests.length,
    calls: `${10 - got.length} of 10 calls failed, ${got.filter((g) => !g.organizationId).length} resolved without an org`,
    note: `WorkOS: ${state.users} user, ${state.ownedOrganizations} owned orgs, ${state.orphanOrganizations} orphan orgs, ${codes.length} codes`,
  };
}

async function countOrgkit(target: { name: string; url: string | undefined }) {
  const lab = await openLab();
  const database = await createTestDatabase({ url: target.url });
  try {
    const { workos, wire } = await lab.client({ maxRetries: 0 });
    const orgkit = openOrgkit(database.db, workos);
    await orgkit.createOrGetGuestUser(guestNo('warm-up', 0));
    const fresh = await series(wire, viaOrgkit(orgkit));
    const back = await series(wire, viaOrgkit(orgkit));
    newGuestCounts.push({ name: target.name, max: fresh.requests });
    returningCounts.push({ name: target.name, max: back.requests });
    const later = openOrgkit(database.db, workos, { magicAuthWindowMs: 0 });
    const afterWindow = await countRequests(wire, () =>
      later.createOrGetGuestUser(guestNo('c', 0)),
    );

    // Guests WorkOS and the mirror already hold, but orgkit never provisioned: one made the way
    // orgkit would (personal org with `externalId`), one made by the seed flow (no externalId).
    const { inspector } = lab;
    const made = await inspector.userManagement.createUser({ email: 'known@example.com' });
    const org = await inspector.organizations.createOrganization({
      name: 'Known',
      externalId: `personal:${made.id}`,
    });
    await inspector.userManagement.createOrganizationMembership({
      userId: made.id,
      organizationId: org.id,
      roleSlug: 'owner',
    });
    await seedCreateOrGetGuestUser(inspector, { email: 'from-seed@example.com' });
    await openOrgkit(database.db, inspector).syncWorkOSEvents();
    const known = await countRequests(wire, () =>
      orgkit.createOrGetGuestUser({ email: 'known@example.com' }),
    );
    const fromSeed = await countRequests(wire, () =>
      orgkit.createOrGetGuestUser({ email: 'from-seed@example.com' }),
    );
    const seedState = await workosState(inspector, ['from-seed@example.com']);
    const race = await raceOneEmail(lab, (w) => viaOrgkit(openOrgkit(database.db, w)));
    const n = target.name;
    countRows.push(
      { path: `${n}: orgkit new guest`, ...fresh },
      { path: `${n}: orgkit returning (code window open)`, ...back },
      { path: `${n}: orgkit returning after the code window`, ...afterWindow },
      { path: `${n}: orgkit, in mirror + WorkOS, never provisioned`, ...known },
      {
        path: `${n}: orgkit, guest the seed flow made (in mirror)`,
        ...fromSeed,
        note: `WorkOS: the user now owns ${seedState.ownedOrganizations} orgs`,
      },
      { path: `${n}: orgkit: 10 instances at once, one new email`, ...race },
    );
  } finally {
    await database.close();
    await lab.close();
  }
}

// ---------------------------------------------------------------- 2. 200 guests, rate-limited

interface RunResult {
  name: string;
  rateLimited: boolean;
  wallMs: number;
  /** Per guest, call to answer. */
  p50Ms: number;
  p95Ms: number;
  /** The longest stretch in which the SDK sent nothing. */
  longestSilenceMs: number;
  completed: number;
  failed: number;
  errors: string;
  requests: number;
  answered429: number;
  codesSent: number;
  state: Awaited<ReturnType<typeof workosState>>;
  emulatorMinRemaining: number;
  emulator429: number;
}
const runs: RunResult[] = [];

function errorSummary(settled: PromiseSettledResult<unknown>[]): string {
  const errors = new Map<string, number>();
  for (const s of settled) {
    if (s.status === 'fulfilled') continue;
    const e = s.reason as { code?: string; reason?: string; name?: string };
    const key = e.code ? `${e.code}/${e.reason ?? ''}` : (e.name ?? 'Error');
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  return [...errors].map(([k, v]) => `${v}× ${k}`).join(', ') || '—';
}

async function provisioningRun(
  name: string,
  options: { maxRetries?: number; url?: string; orgkit: boolean; rateLimited?: boolean },
): Promise<RunResult> {
  const lab = await openLab();
  const database = options.orgkit ? await createTestDatabase({ url: options.url }) : undefined;
  const rateLimited = options.rateLimited ?? true;
  try {
    const { workos, wire, pool } = await lab.client({
      rateLimited,
      maxRetries: options.maxRetries,
    });
    const provision: Provision = database
      ? viaOrgkit(openOrgkit(database.db, workos))
      : (guest) => seedCreateOrGetGuestUser(workos, guest);
    const guests = Array.from({ length: GUESTS }, (_, i) => guestNo('rl', i));
    const durations: number[] = [];
    const started = performance.now();
    const settled = await Promise.allSettled(
      guests.map(async (guest) => {
        try {
          return await provision(guest);
        } finally {
          durations.push(performance.now() - started);
        }
      }),
    );
    const wallMs = performance.now() - started;
    durations.sort((x, y) => x - y);
    const sent = [started, ...wire.requests.map((r) => r.sentAt), started + wallMs];
    const completed = settled.filter((s) => s.status === 'fulfilled').length;
    const result: RunResult = {
      name,
      rateLimited,
      wallMs,
      p50Ms: durations[Math.floor(GUESTS * 0.5)]!,
      p95Ms: durations[Math.floor(GUESTS * 0.95)]!,
      longestSilenceMs: Math.max(...sent.slice(1).map((t, i) => t - sent[i]!)),
      completed,
      failed: GUESTS - completed,
      errors: errorSummary(settled),
      requests: wire.requests.length,
      answered429: wire.requests.filter((r) => r.status === 429).length,
      codesSent: wire.requests.filter((r) => r.call.endsWith('/magic_auth') && r.status < 300)
        .length,
      state: await workosState(
        lab.inspector,
        guests.map((g) => g.email),
      ),
      emulatorMinRemaining: pool.minRemaining,
      emulator429: pool.emulator429,
    };
    runs.push(result);
    return result;
  } finally {
    await database?.close();
    await lab.close();
  }
}

// ---------------------------------------------------------------- run and report

const benchStarted = performance.now();
await countSeed();
for (const target of targets) await countOrgkit(target);

console.log(
  `\nWorkOS requests per guest, no faults (new / returning: the most of ${SERIES} guests in a row, and the median time per guest)`,
);
for (const row of countRows) {
  const time = row.medianMs === undefined ? '' : `${row.medianMs.toFixed(1)} ms  `;
  console.log(
    `${row.path.padEnd(56)} ${String(row.requests).padStart(3)}  ${time}${row.calls}${row.note ? `  [${row.note}]` : ''}`,
  );
}

await provisioningRun('seed, no limiter', { orgkit: false, rateLimited: false });
await provisioningRun('seed, SDK retries (default 3)', { orgkit: false });
await provisioningRun('seed, SDK maxRetries 0', { orgkit: false, maxRetries: 0 });
for (const { name, url } of targets) {
  await provisioningRun(`${name}: orgkit, no limiter`, { orgkit: true, url, rateLimited: false });
  await provisioningRun(`${name}: orgkit (SDK maxRetries 0)`, { orgkit: true, url, maxRetries: 0 });
  await provisioningRun(`${name}: orgkit (SDK retries, default 3)`, { orgkit: true, url });
}

console.log(
  `\n${GUESTS} new guests at once; "limited": WorkOS writes limited to ${WRITE_LIMIT.limit} POST / ${WRITE_LIMIT.windowMs / 1000} s, so ${GUESTS * 4} POSTs need at least ${WRITE_LIMIT.windowMs / 1000} s`,
);
for (const r of runs) {
  const s = r.state;
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    [
      `${r.name.padEnd(38)} ${secs(r.wallMs).padStart(6)} ${(r.completed / (r.wallMs / 1000)).toFixed(1).padStart(6)} guests/s; per guest p50 ${secs(r.p50Ms)}, p95 ${secs(r.p95Ms)}; longest silence ${secs(r.longestSilenceMs)}`,
      `  resolved ${r.completed}/${GUESTS}, failed ${r.failed} (${r.errors}); requests ${r.requests}, 429 answered ${r.answered429}, codes sent ${r.codesSent}`,
      `  WorkOS: ${s.complete}/${GUESTS} guests with user + owned org; users ${s.users}, owned orgs ${s.ownedOrganizations}; emails with 2+ users ${s.emailsWithTwoUsers}, users with 2+ orgs ${s.usersWithTwoOrgs}, users without org ${s.usersWithoutOrg}, orphan orgs ${s.orphanOrganizations}`,
      `  emulator limiter: lowest X-RateLimit-Remaining ${r.emulatorMinRemaining}, its own 429s ${r.emulator429}`,
    ].join('\n'),
  );
}
const seedLimited = runs.find((r) => r.name === 'seed, SDK retries (default 3)')!;
for (const r of runs.filter((run) => run.rateLimited && run.name.includes('orgkit'))) {
  console.log(
    `${r.name}: wall time ${(r.wallMs / seedLimited.wallMs).toFixed(2)}× the seed's with SDK retries`,
  );
}
console.log(`\nbench took ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);

for (const c of newGuestCounts)
  reportTarget(`${c.name}: WorkOS requests per new guest`, c.max, '≤ 5', c.max <= 5);
for (const c of returningCounts)
  reportTarget(
    `${c.name}: WorkOS requests per returning guest (code window open)`,
    c.max,
    '= 0',
    c.max === 0,
  );
for (const r of runs.filter((run) => run.rateLimited && run.name.includes('orgkit'))) {
  const s = r.state;
  const clean =
    r.completed === GUESTS &&
    s.complete === GUESTS &&
    s.emailsWithTwoUsers + s.usersWithTwoOrgs + s.usersWithoutOrg + s.orphanOrganizations === 0;
  reportTarget(
    `${r.name}: guests completed under the write limit, no duplicates`,
    r.completed,
    `= ${GUESTS}, 0 duplicates`,
    clean,
  );
}
