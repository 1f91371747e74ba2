// Clerk → WorkOS migration throughput: 300 users under a configured limit of 100 WorkOS writes per
// second, through the real @workos-inc/node client against the official WorkOS emulator. Its fetch
// enforces that limit the way WorkOS states its own (500 writes per 10 s): at most 1,000 POSTs in
// any 10 s, 429 with Retry-After beyond (createFaultyFetch's sliding window). How evenly the writes
// went out is reported as the most POSTs seen in any one second.
// Each user costs the three writes a migration makes (create user, personal organization, owner
// membership): 900 writes, which the limit allows in no less than 9 s.
//  - orgkit: the migration engine itself, runClerkMigration over the Clerk CSV export written
//    here, into a fresh run directory (lock, manifest, fsync'ed run log, user map), every write
//    (each attempt) through one createWriteLimiter at 100 a second, SDK retries off;
//  - seed: the seed's phase-4 script, one user at a time, awaiting each call, no limiter (the SDK's
//    own retries, default 3, take any 429).
// Both run twice: as the emulator answers (a few ms a request, in process), and with 40 ms added
// to every request, an assumed round trip to the real API.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkOS } from '@workos-inc/node';
import { CLERK_CSV_COLUMNS, createWriteLimiter, runClerkMigration } from '../src/migrate/index.js';
import { startWorkOSEmulator } from '../src/testing/emulator.js';
import { createFaultyFetch } from '../src/testing/fault-fetch.js';
import { createWorkOSTestClient } from '../src/testing/workos-client.js';
import { machineLine, reportTarget } from './support.js';

console.log(machineLine());

const USERS = 300;
const WRITES_PER_SECOND = 100;
/** Writes in flight at once (the limiter's default): 100 a second at up to 160 ms each. */
const WRITE_CONCURRENCY = 16;
/**
 * Records the engine has in flight. A record spends most of its time on things other than its
 * writes (two look-ups before the user create, a log line flushed before and after each create,
 * one for its outcome): 5 round trips and 7 awaited flushes, ≈ 0.3 s with 40 ms a request. 33
 * records a second (100 writes) then need ≥ 10 in flight (the default 8 measured 1.20× the time
 * the limit allows, 16 1.03×); 64 leave the limiter a queue to draw from.
 */
const RECORD_CONCURRENCY = 64;
const ADDED_LATENCY_MS = 40;
const KEYS = 4;

interface BenchUser {
  clerkUserId: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** What a migration under test gets: the client, the users (and the same users as a Clerk export). */
interface MigrationTarget {
  workos: WorkOS;
  users: BenchUser[];
  /** The users as Clerk's dashboard CSV export, for a migration that reads its input file. */
  exportPath: string;
  /** An empty run directory. */
  outDir: string;
}
/** Resolves the writes the migration counted itself, when it counts them. */
type Migrate = (target: MigrationTarget) => Promise<{ writes: number } | undefined>;

/** orgkit's side: the engine, over the export file, every write through one shared limiter. */
const migrateWithOrgkit: Migrate = async ({ workos, exportPath, outDir }) => {
  const summary = await runClerkMigration({
    input: exportPath,
    outDir,
    workos,
    concurrency: RECORD_CONCURRENCY,
    limiter: createWriteLimiter({ perSecond: WRITES_PER_SECOND, concurrency: WRITE_CONCURRENCY }),
  });
  const { created, matched, skipped, failed } = summary.counts;
  if (created !== USERS || matched + skipped + failed > 0 || summary.interrupted) {
    throw new Error(
      `migration bench: the engine did not create every user: ${JSON.stringify(summary.counts)}`,
    );
  }
  return { writes: summary.writes };
};

/** The seed's phase-4 script: one user at a time, each call awaited, no limiter. */
const seedSequential: Migrate = async ({ workos, users }) => {
  for (const u of users) {
    const user = await workos.userManagement.createUser({
      email: u.email,
      firstName: u.firstName,
      lastName: u.lastName,
      emailVerified: true,
    });
    const org = await workos.organizations.createOrganization({
      name: `${u.firstName} ${u.lastName}'s Account`,
    });
    await workos.userManagement.createOrganizationMembership({
      userId: user.id,
      organizationId: org.id,
      roleSlug: 'owner',
    });
  }
  return undefined;
};

const usersOf = (run: string): BenchUser[] =>
  Array.from({ length: USERS }, (_, i) => ({
    clerkUserId: `user_${run}${String(i).padStart(6, '0')}`,
    email: `user-${i}@${run}.example.com`,
    firstName: 'User',
    lastName: String(i),
  }));

function clerkCsv(users: BenchUser[]): string {
  const cells = (u: BenchUser): Record<string, string> => ({
    id: u.clerkUserId,
    first_name: u.firstName,
    last_name: u.lastName,
    primary_email_address: u.email,
    verified_email_addresses: u.email,
  });
  const rows = users.map((u) => CLERK_CSV_COLUMNS.map((c) => cells(u)[c] ?? '').join(','));
  return `${[CLERK_CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/** API keys, and the roles a real environment would define (the run checks them first). */
const emulatorSeed = (keys: string[]) => ({
  apiKeys: Object.fromEntries(keys.map((k) => [k, { environment: 'test' }])),
  roles: ['owner', 'member'].map((slug) => ({
    slug,
    name: slug,
    type: 'EnvironmentRole' as const,
  })),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends each request with the next key of a pool, so the emulator's own per-key limit never fires. */
function keyPool(keys: string[], latencyMs: number): typeof fetch {
  let next = 0;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    if (latencyMs > 0) await sleep(latencyMs);
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${keys[next++ % keys.length]}`);
    return fetch(input, { ...init, headers });
  }) as typeof fetch;
}

/** Notes when each POST left the client and what it got back, and counts the other requests. */
function recorder(next: typeof fetch) {
  const posts: { sentAt: number; status: number }[] = [];
  const reads = { count: 0 };
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    if ((init?.method ?? 'GET').toUpperCase() !== 'POST') {
      reads.count++;
      return next(input, init);
    }
    const entry = { sentAt: performance.now(), status: 0 };
    posts.push(entry);
    const response = await next(input, init);
    entry.status = response.status;
    return response;
  }) as typeof fetch;
  return { fetchFn, posts, reads };
}

function mostInAnySecond(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function all<T>(page: Promise<{ autoPagination(): Promise<T[]> }>): Promise<T[]> {
  return (await page).autoPagination();
}

/**
 * A fresh emulator and run directory, and a client whose writes pass the server-side limit
 * (WorkOS's 500 per 10 s, scaled to the configured rate) and are recorded.
 */
async function benchEnvironment(latencyMs: number, sdkRetries: boolean) {
  const keys = Array.from({ length: KEYS + 1 }, (_, i) => `sk_test_migrate_${i}`);
  const emulator = await startWorkOSEmulator({ seed: emulatorSeed(keys) });
  const dir = await mkdtemp(join(tmpdir(), 'orgkit-migrate-bench-'));
  const serverLimit = createFaultyFetch({
    fetch: keyPool(keys.slice(1), latencyMs),
    rateLimit: { limit: WRITES_PER_SECOND * 10, windowMs: 10_000, method: 'POST' },
  });
  const wire = recorder(serverLimit);
  const workos = await createWorkOSTestClient({
    url: emulator.url,
    apiKey: keys[1]!,
    fetchFn: wire.fetchFn,
    ...(sdkRetries ? {} : { maxRetries: 0 }),
  });
  return { emulator, keys, dir, wire, workos };
}

interface RunResult {
  name: string;
  wallMs: number;
  /** Writes the migration counted itself (each attempt), else the POSTs WorkOS accepted. */
  writes: number;
  postsAccepted: number;
  reads: number;
  answered429: number;
  mostPostsInASecond: number;
  complete: boolean;
  state: string;
}

async function migrationRun(
  name: string,
  migrate: Migrate,
  options: { latencyMs: number; sdkRetries: boolean },
): Promise<RunResult> {
  const { emulator, keys, dir, wire, workos } = await benchEnvironment(
    options.latencyMs,
    options.sdkRetries,
  );
  try {
    const users = usersOf(name.replace(/\W+/g, '').toLowerCase().slice(0, 12));
    const exportPath = join(dir, 'clerk-export.csv');
    await writeFile(exportPath, clerkCsv(users));

    const started = performance.now();
    const counted = await migrate({ workos, users, exportPath, outDir: join(dir, 'run') });
    const wallMs = performance.now() - started;
    const reads = wire.reads.count;

    const inspector = emulator.createClient({ apiKey: keys[0]!, maxRetries: 0 });
    const emails = new Set(users.map((u) => u.email));
    const [wUsers, orgs, memberships] = await Promise.all([
      all(inspector.userManagement.listUsers()),
      all(inspector.organizations.listOrganizations()),
      all(inspector.userManagement.listOrganizationMemberships({} as never)),
    ]);
    const migrated = wUsers.filter((u) => emails.has(u.email));
    const ids = new Set(migrated.map((u) => u.id));
    const owners = memberships.filter((m) => ids.has(m.userId) && m.role.slug === 'owner');
    const ownerOf = new Set(owners.map((m) => m.userId));
    const complete = migrated.length === USERS && ownerOf.size === USERS && owners.length === USERS;
    const ok = wire.posts.filter((p) => p.status < 300).map((p) => p.sentAt);
    return {
      name,
      wallMs,
      writes: counted?.writes ?? ok.length,
      postsAccepted: ok.length,
      reads,
      answered429: wire.posts.filter((p) => p.status === 429).length,
      mostPostsInASecond: mostInAnySecond(wire.posts.map((p) => p.sentAt)),
      complete,
      state: `users ${migrated.length}, organizations ${orgs.length}, owner memberships ${owners.length}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await emulator.close();
  }
}

const runs: RunResult[] = [];
for (const latencyMs of [0, ADDED_LATENCY_MS]) {
  const tag = latencyMs ? `, +${latencyMs} ms a request` : ', emulator as is';
  runs.push(
    await migrationRun(`orgkit engine${tag}`, migrateWithOrgkit, { latencyMs, sdkRetries: false }),
  );
  runs.push(
    await migrationRun(`seed sequential${tag}`, seedSequential, { latencyMs, sdkRetries: true }),
  );
}

const allowedMs = (writes: number) => (writes / WRITES_PER_SECOND) * 1000;
console.log(
  `\n${USERS} users, 3 writes each, limit ${WRITES_PER_SECOND} writes/s (the emulator's fetch refuses more than ${WRITES_PER_SECOND * 10} POSTs in any 10 s); orgkit: ${RECORD_CONCURRENCY} records and ${WRITE_CONCURRENCY} writes in flight`,
);
for (const r of runs) {
  console.log(
    [
      `${r.name.padEnd(40)} ${(r.wallMs / 1000).toFixed(2).padStart(6)} s  ${(USERS / (r.wallMs / 1000)).toFixed(1).padStart(6)} users/s`,
      `  writes ${r.writes} (the limit allows them in ${(allowedMs(r.writes) / 1000).toFixed(2)} s: ${(r.wallMs / allowedMs(r.writes)).toFixed(2)}×); POSTs accepted ${r.postsAccepted}, 429 answered ${r.answered429}; most POSTs in any second ${r.mostPostsInASecond}; reads ${r.reads}`,
      `  WorkOS: ${r.state}; ${r.complete ? 'every user with one owner membership' : 'INCOMPLETE'}`,
    ].join('\n'),
  );
}

for (const r of runs.filter((run) => run.name.startsWith('orgkit'))) {
  const ratio = r.wallMs / allowedMs(r.writes);
  reportTarget(`${r.name}: wall time / time the limit allows`, ratio, '≤ 1.2×', ratio <= 1.2);
  reportTarget(
    `${r.name}: all ${USERS} users migrated, no 429`,
    r.answered429,
    '= 0 429s, complete',
    r.complete && r.answered429 === 0,
  );
  const seed = runs.find((s) => s.name === r.name.replace('orgkit engine', 'seed sequential'))!;
  console.log(
    `${r.name}: wall time ${(r.wallMs / seed.wallMs).toFixed(2)}× the seed's sequential flow`,
  );
}

// --organizations personal | mapped | none, at the same limit, over one export: every 5th user
// (60) mapped to 6 shared organizations, every 10th (30) with a TOTP secret. WorkOS's own tool
// (workos/workos-migrations) makes, for the same export, one write per user, mapped
// organization, membership and factor and no personal organizations: `mapped` must make no more.
const MAPPED_EVERY = 5;
const MAPPED_ORGANIZATIONS = 6;
const TOTP_EVERY = 10;
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DP';
const MODES = ['personal', 'mapped', 'none'] as const;

async function modeRun(mode: (typeof MODES)[number], latencyMs: number) {
  const { emulator, keys, dir, wire, workos } = await benchEnvironment(latencyMs, false);
  try {
    const users = usersOf(`mode${mode}`);
    const lines = users.map((u, i) =>
      CLERK_CSV_COLUMNS.map(
        (c) =>
          (
            ({
              id: u.clerkUserId,
              first_name: u.firstName,
              last_name: u.lastName,
              primary_email_address: u.email,
              verified_email_addresses: u.email,
              totp_secret: i % TOTP_EVERY === 0 ? TOTP : '',
            }) as Record<string, string>
          )[c] ?? '',
      ).join(','),
    );
    const exportPath = join(dir, 'clerk-export.csv');
    await writeFile(exportPath, `${[CLERK_CSV_COLUMNS.join(','), ...lines].join('\n')}\n`);
    const organizationMapping = users
      .filter((_, i) => i % MAPPED_EVERY === 0)
      .map((u, i) => ({
        recordNumber: i + 1,
        clerkUserId: u.clerkUserId,
        orgExternalId: `org-${i % MAPPED_ORGANIZATIONS}`,
        orgName: `Organization ${i % MAPPED_ORGANIZATIONS}`,
      }));
    const started = performance.now();
    const summary = await runClerkMigration({
      input: exportPath,
      outDir: join(dir, 'run'),
      workos,
      organizations: mode,
      ...(mode === 'none' ? {} : { organizationMapping }),
      concurrency: RECORD_CONCURRENCY,
      limiter: createWriteLimiter({ perSecond: WRITES_PER_SECOND, concurrency: WRITE_CONCURRENCY }),
    });
    const wallMs = performance.now() - started;
    const inspector = emulator.createClient({ apiKey: keys[0]!, maxRetries: 0 });
    const [orgs, memberships] = await Promise.all([
      all(inspector.organizations.listOrganizations()),
      all(inspector.userManagement.listOrganizationMemberships({} as never)),
    ]);
    return {
      mode,
      latencyMs,
      wallMs,
      writes: summary.writes,
      complete: summary.counts.created === USERS && summary.counts.failed === 0,
      organizations: orgs.length,
      memberships: memberships.length,
      answered429: wire.posts.filter((p) => p.status === 429).length,
      peerWrites:
        USERS + MAPPED_ORGANIZATIONS + organizationMapping.length + Math.ceil(USERS / TOTP_EVERY),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await emulator.close();
  }
}

console.log(
  `\n--organizations at ${WRITES_PER_SECOND} writes/s: ${USERS} users, ${USERS / MAPPED_EVERY} mapped to ${MAPPED_ORGANIZATIONS} organizations, ${USERS / TOTP_EVERY} TOTP factors`,
);
const modeRuns = [];
for (const latencyMs of [0, ADDED_LATENCY_MS]) {
  for (const mode of MODES) modeRuns.push(await modeRun(mode, latencyMs));
}
for (const r of modeRuns) {
  console.log(
    `orgkit --organizations ${r.mode.padEnd(8)}${r.latencyMs ? `, +${r.latencyMs} ms` : ', as is '}  ${(r.wallMs / 1000).toFixed(2).padStart(6)} s  writes ${r.writes} (limit allows ${(allowedMs(r.writes) / 1000).toFixed(2)} s), organizations ${r.organizations}, memberships ${r.memberships}, 429 ${r.answered429}${r.complete ? '' : ' INCOMPLETE'}`,
  );
}
for (const r of modeRuns.filter((m) => m.mode === 'mapped')) {
  reportTarget(
    `orgkit --organizations mapped${r.latencyMs ? ` +${r.latencyMs} ms` : ''}: WorkOS writes vs the peer's (users + mapped organizations + memberships + factors = ${r.peerWrites})`,
    r.writes,
    `≤ ${r.peerWrites}`,
    r.complete && r.writes <= r.peerWrites,
  );
}
const personal = modeRuns.find((m) => m.mode === 'personal' && m.latencyMs === ADDED_LATENCY_MS)!;
const mapped = modeRuns.find((m) => m.mode === 'mapped' && m.latencyMs === ADDED_LATENCY_MS)!;
console.log(
  `+${ADDED_LATENCY_MS} ms: personal takes ${(personal.wallMs / mapped.wallMs).toFixed(2)}× the wall time of mapped (${personal.writes} / ${mapped.writes} writes)`,
);
