import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ERROR_MESSAGE_LENGTH } from '../../src/errors/orgkit-error.js';
import { createOrgkit, isOrgkitError, ORGKIT_ERROR_CODES, type Orgkit } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { createWorkOSTestClient } from '../../src/testing/workos-client.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { badFor, describeValue, HARDENING_RUNS, snapshotTables } from './support.js';

const JOB = { actor: { system: 'hardening-job' } };

/**
 * How to call each function of the instance: arguments valid together. The property puts a bad
 * value at one position and keeps the others.
 */
const VALID_ARGS: Readonly<Record<string, readonly unknown[]>> = {
  getUserRoles: ['user_admin', { organizationId: 'org_a' }],
  getAccess: ['user_admin', { organizationId: 'org_a' }],
  peekAccess: ['user_admin', { organizationId: 'org_a' }],
  hasRole: ['user_admin', 'admin', { organizationId: 'org_a' }],
  hasAnyRole: ['user_admin', ['admin'], { organizationId: 'org_a' }],
  hasPermission: ['user_admin', 'users:manage', { organizationId: 'org_a' }],
  hasAllPermissions: ['user_admin', ['users:manage'], { organizationId: 'org_a' }],
  checkPermissions: ['user_admin', ['users:manage'], { organizationId: 'org_a' }],
  setUserRole: ['user_plain', 'user', JOB],
  invalidateUser: ['user_admin'],
  close: [],
  handleWorkOSWebhook: ['{"id":"event_1"}', 't=1,v1=00'],
  syncWorkOSEvents: [{ limit: 10 }],
  reconcileWorkOSMirror: [{}],
  getUserPreferences: ['user_admin', JOB],
  updateUserPreferences: ['user_admin', { theme: 'dark' }, JOB],
  resetToDefaults: ['user_admin', JOB],
  getDefaultPreferences: [],
  checkExpertSetupStatus: ['user_admin', JOB],
  markStepComplete: ['profile', 'user_admin', JOB],
  resetSetup: ['user_admin', JOB],
  getIncompleteExperts: [{ limit: 10, organizationId: 'org_a' }],
  getSetupStats: [{ organizationId: 'org_a' }],
  createOrGetGuestUser: [{ email: 'guest@example.com' }, {}],
  provisionMeetingGuest: [{ guestEmail: 'guest@example.com' }, {}],
  logAuditEvent: [
    'x.y',
    'thing',
    'id_1',
    null,
    null,
    { actor: { userId: 'u1' }, organizationId: 'org_a' },
  ],
  logAuditEvents: [[{ action: 'x.y', resourceType: 'thing', resourceId: 'id_1' }], {}],
  queryAuditEvents: [{ organizationId: 'org_a', limit: 10 }],
  exportAuditEvents: [{ organizationId: 'org_a' }],
  verifyAuditChain: [{}],
  createAuditCheckpoint: [],
  purgeExpiredAuditEvents: [{ retentionDays: 3000 }],
  forwardAuditEvents: [],
  verifyAccessToken: ['eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
  peekVerifiedSession: ['eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
  runWithRequestScope: [{}, () => 1],
  getRequestScope: [],
  withRls: [async () => 1, {}],
  requireAuth: [],
  signOutEverywhere: ['user_plain', JOB],
  recordAccess: ['thing', ['id_1'], { ...JOB, organizationId: 'org_a', subjectIds: ['user_p'] }],
  accessed: ['thing', async () => [], { ids: (row: unknown) => String(row) }],
  recordDisclosure: [
    'thing',
    'id_1',
    {
      ...JOB,
      organizationId: 'org_a',
      recipient: 'Acme Insurance',
      description: 'claim 1',
      purpose: 'HPAYMT',
      subjectIds: ['user_p'],
    },
  ],
  breakGlass: [{ subjectId: 'user_p', reason: 'emergency care', minutes: 5 }],
  listEmergencyAccessForReview: [{ organizationId: 'org_a' }],
  reviewEmergencyAccess: ['00000000-0000-4000-8000-000000000000', { outcome: 'appropriate' }],
  accessReport: [{ subjectId: 'user_p' }],
  exportDisclosures: [{ subjectId: 'user_p' }],
};

const DOCUMENTED = new Set<string>(ORGKIT_ERROR_CODES);

const CALLS_WORKOS = new Set(['createOrGetGuestUser', 'provisionMeetingGuest']);

// The instance's functions, read from a real instance when the file loads: a function added to
// createOrgkit gets a test here (which fails until VALID_ARGS says how to call it).
const INSTANCE_FUNCTIONS: string[] = await (async () => {
  const probe = await openTestDatabase(DATABASE_TARGETS[0]!);
  try {
    const instance = createOrgkit({ database: probe.db });
    return Object.entries(instance)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name)
      .sort();
  } finally {
    await probe.close();
  }
})();

type AnyFunction = (...args: unknown[]) => unknown;

// Whatever a function answers, awaited; an AsyncIterable (exportAuditEvents) is drained.
async function settle(value: unknown): Promise<void> {
  const resolved = await value;
  if (resolved && typeof resolved === 'object' && Symbol.asyncIterator in resolved) {
    for await (const _ of resolved as AsyncIterable<unknown>) {
      // draining is the point
    }
  }
}

type Outcome = { kind: 'accepted' } | { kind: 'rejected'; code: string; message: string };

async function outcome(call: () => unknown): Promise<Outcome> {
  try {
    await settle(call());
    return { kind: 'accepted' };
  } catch (error) {
    if (!isOrgkitError(error)) throw error; // a TypeError or a driver error fails the property
    return { kind: 'rejected', code: error.code, message: error.message };
  }
}

// A WorkOS that is never reached: bad input must be refused before any request.
const unreachable: typeof fetch = async () => {
  throw new TypeError('fetch failed: hardening test has no network');
};

describe.each(DATABASE_TARGETS)('every instance function against bad input, on $name', (target) => {
  let database: TestDatabase;
  let orgkit: Orgkit;

  beforeAll(async () => {
    database = await openTestDatabase(target);
    const workos = await createWorkOSTestClient({
      url: 'http://127.0.0.1:9',
      apiKey: 'sk_test_hardening',
      clientId: 'client_hardening',
      fetchFn: unreachable,
      maxRetries: 0,
    });
    orgkit = createOrgkit({
      database: database.db,
      workos,
      clientId: 'client_hardening',
      session: { jwksUrl: 'http://127.0.0.1:9/jwks', jwksFailureCooldownMs: 60_000 },
      webhooks: { secret: 'whsec_hardening_secret_000000000000' },
      guests: { limits: false, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
      audit: { checkpointKey: 'k'.repeat(40) },
    });
    await database.db.insert(orgkit.tables.users).values([
      { workosUserId: 'user_admin', email: 'admin@example.com', role: 'admin' },
      { workosUserId: 'user_plain', email: 'plain@example.com', role: 'user' },
    ]);
  });
  afterAll(async () => {
    await orgkit?.close();
    await database?.close();
  });

  it('has a table entry for every function of the instance', () => {
    expect(INSTANCE_FUNCTIONS.filter((name) => !(name in VALID_ARGS))).toEqual([]);
    expect(INSTANCE_FUNCTIONS.length).toBeGreaterThan(30);
  });

  const scopes = [
    { name: 'outside a request scope', session: undefined },
    {
      name: 'inside a request scope',
      session: sessionFor('user_admin', { organizationId: 'org_a' }),
    },
  ] as const;

  for (const scope of scopes) {
    it.each(INSTANCE_FUNCTIONS)(
      `%s ${scope.name}: an OrgkitError with a documented code, the database unchanged`,
      async (name) => {
        const fn = (orgkit as unknown as Record<string, AnyFunction>)[name]!;
        const valid = VALID_ARGS[name];
        expect(valid, `no VALID_ARGS entry for ${name}`).toBeDefined();
        if (!valid) return;
        // A function without parameters gets the bad value as an extra argument.
        const slots = Math.max(valid.length, 1);
        const cases = fc
          .integer({ min: 0, max: slots - 1 })
          .chain((position) => badFor(valid[position]).map((bad) => ({ position, bad })));
        await fc.assert(
          fc.asyncProperty(cases, async ({ position, bad }) => {
            const args = [...valid];
            args[position] = bad;
            const call = () => fn.apply(orgkit, args);
            const before = await snapshotTables(database.db, orgkit.tables);
            const result = await outcome(() =>
              scope.session ? orgkit.runWithRequestScope({ session: scope.session }, call) : call(),
            );
            const what = `${name} with ${describeValue(bad)} at ${position}`;
            if (result.kind === 'accepted') return;
            expect(DOCUMENTED.has(result.code), `${what}: code ${result.code}`).toBe(true);
            expect(result.code, what).not.toBe('internal');
            expect(result.message, what).not.toMatch(/\n\s+at /);
            expect(result.message.length, what).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
            // A guest call that reached WorkOS keeps what it recorded so a retry resumes (README).
            if (result.code === 'upstream_unavailable' && CALLS_WORKOS.has(name)) return;
            expect(await snapshotTables(database.db, orgkit.tables), what).toEqual(before);
          }),
          { numRuns: HARDENING_RUNS },
        );
        expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
        expect(({} as { actor?: unknown }).actor).toBeUndefined();
      },
    );
  }
});
