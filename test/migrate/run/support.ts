import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkOS } from '@workos-inc/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../../src/testing/emulator.js';
import { createFaultyFetch, type FaultyFetchOptions } from '../../../src/testing/fault-fetch.js';
import { generatedUser } from '../generated-user.js';
import { clerkCsv, type UserModel } from '../input/support.js';
import { emulatorKeySeed, keyRotatingFetch } from './emulator-keys.js';

/** How a generated export's user should come out. */
export interface ExpectedUser {
  readonly clerkUserId: string;
  readonly email: string;
  readonly verified: boolean;
  readonly firstName?: string;
  readonly lastName?: string;
  /** The bcrypt digest that must be sent, or undefined when none may be. */
  readonly passwordHash?: string;
  /** A digest WorkOS cannot take was exported: reported, never sent. */
  readonly passwordNotImported: boolean;
  readonly totp: boolean;
}

/**
 * A generated Clerk dashboard export of `count` valid users (verified and unverified addresses,
 * bcrypt and non-importable digests, TOTP secrets, missing and unicode names) followed by bad
 * rows (no email, a malformed one, a duplicate id, a duplicate email).
 */
export function generateExport(count: number, idPrefix = 'user_gen') {
  if (count < 4) throw new Error('generateExport: the bad rows copy the first four users');
  const users: UserModel[] = [];
  const expected: ExpectedUser[] = [];
  for (let i = 0; i < count; i++) {
    const user = generatedUser(i, idPrefix);
    users.push({ ...user.model, otherUnverified: [] });
    expected.push(user.expected);
  }
  const bad: UserModel[] = [
    { ...users[0]!, id: `${idPrefix}bad_dupemail`, primaryEmail: users[1]!.primaryEmail },
    { ...users[2]!, primaryEmail: 'another@example.com' },
    { ...users[3]!, id: `${idPrefix}bad_noat`, primaryEmail: 'not-an-email' },
  ];
  const csv = clerkCsv([...users, ...bad]);
  // A row with no email at all.
  const lines = csv.trimEnd().split('\n');
  lines.push(`${idPrefix}bad_noemail,,,,,,,,,,,,`);
  return { csv: `${lines.join('\n')}\n`, expected, badRows: bad.length + 1 };
}

/** A generated export of `count` users written into `dir`, and the run directory beside it. */
export async function preparedExport(dir: string, count: number) {
  const generated = generateExport(count);
  const input = await writeExport(dir, generated.csv);
  return { ...generated, dir, input, outDir: join(dir, 'run') };
}

/** A temporary directory per test, removed afterwards. */
export function tempDirs() {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orgkit-migrate-'));
    dirs.push(dir);
    return dir;
  };
}

/** Writes an export into `dir` and returns its path. */
export async function writeExport(dir: string, csv: string, name = 'clerk-users.csv') {
  const path = join(dir, name);
  await writeFile(path, csv);
  return path;
}

/** The roles the migration tests assign, defined in the emulator as a real environment would. */
export const MIGRATION_ROLES = ['owner', 'member', 'admin'];

/**
 * One emulator per file, reset before each test; `workos` is an unfaulted client to inspect it.
 * The environment defines {@link MIGRATION_ROLES} unless `roles` says otherwise.
 */
export function setupMigrationEmulator(roles: readonly string[] = MIGRATION_ROLES): {
  readonly emulator: WorkOSEmulator;
  readonly workos: WorkOS;
} {
  const env = {} as { emulator: WorkOSEmulator; workos: WorkOS };
  beforeAll(async () => {
    env.emulator = await startWorkOSEmulator({
      seed: {
        ...emulatorKeySeed(),
        roles: roles.map((slug) => ({ slug, name: slug, type: 'EnvironmentRole' as const })),
      },
    });
    env.workos = env.emulator.createClient({ maxRetries: 0, fetchFn: keyRotatingFetch() });
  });
  afterAll(() => env.emulator?.close());
  beforeEach(() => env.emulator.reset());
  return env;
}

/** A POST/PUT/DELETE the SDK sent, with its JSON body. */
export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown> | undefined;
}

/** A client whose requests are recorded, then sent through a faulty fetch, with no SDK retries. */
export function recordingClient(emulator: WorkOSEmulator, faults: FaultyFetchOptions = {}) {
  const sent: SentRequest[] = [];
  const faulty = createFaultyFetch({ ...faults, fetch: keyRotatingFetch(faults.fetch) });
  const fetchFn = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    sent.push({ method, path: url.pathname, body });
    return faulty(input, init);
  }) as typeof fetch;
  const workos = emulator.createClient({ fetchFn, maxRetries: 0, timeout: 2_000 });
  const writes = () => sent.filter((r) => r.method !== 'GET');
  return { workos, sent, writes, faulty };
}

/** Fast retries for tests. */
export const FAST_RETRY = { baseDelayMs: 2, maxDelayMs: 20, maxAttempts: 8 };

/**
 * Everything WorkOS holds, without ids: users by email with their fields, organizations by
 * external id (a personal one named by its user's email), memberships and TOTP factors.
 */
export async function workosSnapshot(workos: WorkOS) {
  const users = await (await workos.userManagement.listUsers()).autoPagination();
  const organizations = await (await workos.organizations.listOrganizations()).autoPagination();
  const emailById = new Map(users.map((u) => [u.id, u.email]));
  const orgKey = (id: string) => {
    const org = organizations.find((o) => o.id === id);
    const ext = org?.externalId ?? '';
    return ext.startsWith('personal:')
      ? `personal:${emailById.get(ext.slice(9))}`
      : ext || org?.name;
  };
  const rows: string[] = [];
  for (const u of users) {
    rows.push(
      `user ${u.email} verified=${u.emailVerified} ext=${u.externalId ?? ''} ${u.firstName ?? ''}|${u.lastName ?? ''}`,
    );
    const memberships = await (
      await workos.userManagement.listOrganizationMemberships({ userId: u.id })
    ).autoPagination();
    for (const m of memberships)
      rows.push(`membership ${u.email} ${orgKey(m.organizationId)} ${m.role?.slug}`);
    const factors = await workos.multiFactorAuth.listUserAuthFactors({ userId: u.id });
    for (const f of factors.data) rows.push(`factor ${u.email} ${f.type}`);
  }
  for (const o of organizations) rows.push(`organization ${orgKey(o.id)} ${o.name}`);
  return rows.sort();
}

/** The plan action a recorded write request is, as the run names its creates. */
export function actionOfRequest(request: SentRequest, orgExternalIds: Map<string, string>) {
  if (request.path === '/user_management/users') return 'user';
  if (request.path === '/organizations') {
    const ext = request.body!.external_id as string;
    return ext.startsWith('personal:') ? 'organization:personal' : `organization:mapped:${ext}`;
  }
  if (request.path === '/user_management/organization_memberships') {
    const ext = orgExternalIds.get(request.body!.organization_id as string) ?? '';
    return ext.startsWith('personal:') ? 'membership:personal' : `membership:mapped:${ext}`;
  }
  if (request.path.endsWith('/auth_factors')) return 'factor';
  return `${request.method} ${request.path}`;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * WorkOS's email rule, which the emulator lacks: addresses are compared without regard to case,
 * in the user list's `email` filter and in the uniqueness check of a user create.
 */
export function caseInsensitiveEmails(next: typeof fetch = globalThis.fetch): typeof fetch {
  const usersWithEmail = async (base: URL, init: RequestInit | undefined, email: string) => {
    const url = new URL('/user_management/users', base);
    url.searchParams.set('limit', '100');
    const found: { email: string }[] = [];
    for (let after: string | null = null; ; ) {
      if (after) url.searchParams.set('after', after);
      const headers = new Headers(init?.headers);
      const page = (await (await next(url, { headers })).json()) as {
        data: { email: string }[];
        list_metadata?: { after?: string | null };
      };
      found.push(...page.data.filter((u) => u.email.toLowerCase() === email.toLowerCase()));
      after = page.list_metadata?.after ?? null;
      if (!after) return found;
    }
  };
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    if (url.pathname === '/user_management/users') {
      const email =
        method === 'GET'
          ? url.searchParams.get('email')
          : method === 'POST' && typeof init?.body === 'string'
            ? (JSON.parse(init.body) as { email?: string }).email
            : undefined;
      if (email) {
        const found = await usersWithEmail(url, init, email);
        if (method === 'GET') {
          return json({
            object: 'list',
            data: found,
            list_metadata: { before: null, after: null },
          });
        }
        if (found.length > 0) {
          return json(
            { code: 'email_not_available', message: 'This email is not available.' },
            422,
          );
        }
      }
    }
    return next(input, init);
  }) as typeof fetch;
}
