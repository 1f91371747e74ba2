import type { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createOrgkit, type OrgkitConfig } from '../../src/create-orgkit.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { createFaultyFetch, type FaultyFetchOptions } from '../../src/testing/fault-fetch.js';

export const tables = createOrgkitTables();

/** Every request the SDK sent, as `METHOD /path`, faulted or not. */
export interface RecordedFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  readonly requests: string[];
  count(prefix: string): number;
}

/** A fetch that records each request, then hands it to `next`. */
export function recordingFetch(next: typeof fetch): RecordedFetch {
  const requests: string[] = [];
  const recorder = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push(`${(init?.method ?? 'GET').toUpperCase()} ${url.pathname}`);
    return next(input, init);
  }) as RecordedFetch;
  return Object.assign(recorder, {
    requests,
    count: (prefix: string) => requests.filter((r) => r.startsWith(prefix)).length,
  });
}

/** One emulator per test file, reset before each test; `workos` is an unfaulted client to inspect it. */
export function setupEmulator(): { readonly emulator: WorkOSEmulator; readonly workos: WorkOS } {
  const env = {} as { emulator: WorkOSEmulator; workos: WorkOS };
  beforeAll(async () => {
    env.emulator = await startWorkOSEmulator();
    env.workos = env.emulator.createClient({ maxRetries: 0 });
  });
  afterAll(() => env.emulator?.close());
  beforeEach(() => env.emulator.reset());
  return env;
}

/** An orgkit whose WorkOS client goes through a recorder over a faulty fetch, without SDK retries. */
export function openOrgkit(
  emulator: WorkOSEmulator,
  db: OrgkitDatabase,
  options: {
    faults?: FaultyFetchOptions;
    guests?: OrgkitConfig['guests'];
    fetch?: typeof fetch;
  } = {},
) {
  const faulty = createFaultyFetch({ ...options.faults, fetch: options.fetch });
  const fetchFn = recordingFetch(faulty);
  const workos = emulator.createClient({ fetchFn, maxRetries: 0, timeout: 2_000 });
  const orgkit = createOrgkit({
    database: db,
    workos,
    clientId: emulator.clientId,
    // These tests race many calls for one guest to prove exactly-once provisioning: limits,
    // which would refuse most of them, are off unless a test sets them (limits.workos.test.ts).
    guests: {
      retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 6 },
      limits: false,
      ...options.guests,
    },
  });
  return { orgkit, fetchFn, faulty };
}

/** What WorkOS holds for one email: its users, their personal organizations and memberships. */
export async function workosState(workos: WorkOS, email: string) {
  const users = (await workos.userManagement.listUsers({ limit: 100 })).data.filter(
    (u) => u.email.toLowerCase() === email,
  );
  const organizations = (await workos.organizations.listOrganizations({ limit: 100 })).data.filter(
    (o) => users.some((u) => o.externalId === `personal:${u.id}`),
  );
  const memberships = [];
  for (const user of users) {
    memberships.push(
      ...(await workos.userManagement.listOrganizationMemberships({ userId: user.id, limit: 100 }))
        .data,
    );
  }
  return { users, organizations, memberships };
}

/** The mirror's rows for one WorkOS user. */
export async function mirrorState(db: OrgkitDatabase, workosUserId: string) {
  const { users, organizations, userOrgMemberships } = tables;
  const { eq } = await import('drizzle-orm');
  return {
    users: await db.select().from(users).where(eq(users.workosUserId, workosUserId)),
    organizations: await db
      .select()
      .from(organizations)
      .where(eq(organizations.externalId, `personal:${workosUserId}`)),
    memberships: await db
      .select()
      .from(userOrgMemberships)
      .where(eq(userOrgMemberships.workosUserId, workosUserId)),
  };
}

/** A guest made in WorkOS outside orgkit: user, personal organization, owner membership. */
export async function guestMadeElsewhere(workos: WorkOS, email: string, name: string) {
  const user = await workos.userManagement.createUser({ email });
  const org = await workos.organizations.createOrganization({
    name,
    externalId: `personal:${user.id}`,
  });
  await workos.userManagement.createOrganizationMembership({
    userId: user.id,
    organizationId: org.id,
    roleSlug: 'owner',
  });
  return { user, org };
}
