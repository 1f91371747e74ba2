import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrgkit, type OrgkitConfig } from '../../src/create-orgkit.js';
import { isOrgkitError, OrgkitError } from '../../src/errors/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { openTestDatabase } from '../support/databases.js';
import { openOrgkit, setupEmulator, tables } from './support.js';

const REDIS_URL = process.env.REDIS_URL;
const DATABASE_URL = process.env.DATABASE_URL;

const env = setupEmulator();

type Limits = Exclude<NonNullable<NonNullable<OrgkitConfig['guests']>['limits']>, false>;
const OFF = { perIp: false, perEmail: false, global: false } as const;

async function refusal(promise: Promise<unknown>): Promise<OrgkitError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isOrgkitError(outcome)) throw new Error(`expected an OrgkitError, got ${String(outcome)}`);
  return outcome;
}

/** A user's spelling of `email`: any letter's case flipped, whitespace around it. */
const spellingOf = (email: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: email.length, maxLength: email.length }),
      fc.constantFrom('', ' ', '\t', '  \n'),
      fc.constantFrom('', ' ', '\t '),
    )
    .map(
      ([upper, before, after]) =>
        `${before}${[...email].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')}${after}`,
    );

describe('guest limits (memory store)', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await openTestDatabase({ url: undefined });
  });
  afterEach(async () => {
    await t.close();
  });

  const withLimits = (limits: Limits, extra: NonNullable<OrgkitConfig['guests']> = {}) =>
    openOrgkit(env.emulator, t.db, { guests: { limits: { ...OFF, ...limits }, ...extra } }).orgkit;

  it('per email: every spelling of one email shares a bucket; the refusal names the limit, not the email', async () => {
    const email = 'mira.nakamura@example.com';
    await fc.assert(
      fc.asyncProperty(
        spellingOf(email),
        spellingOf(email),
        spellingOf(email),
        async (first, second, third) => {
          // A fresh instance per run: its memory buckets start empty (the guest exists after
          // the first run, so later runs find it).
          const orgkit = withLimits({ perEmail: { points: 2, durationSeconds: 600 } });
          await orgkit.createOrGetGuestUser({ email: first });
          await orgkit.createOrGetGuestUser({ email: second });
          const error = await refusal(orgkit.createOrGetGuestUser({ email: third }));
          expect([error.code, error.reason, error.details?.limit]).toEqual([
            'rate_limited',
            'email_limit',
            'email',
          ]);
          const seconds = error.details?.retryAfterSeconds as number;
          expect(seconds).toBeGreaterThan(0);
          expect(seconds).toBeLessThanOrEqual(600);
          expect(error.message).toContain('for this email address');
          expect(error.message.toLowerCase()).not.toContain(email);
        },
      ),
      { numRuns: 6 },
    );
    // Another email has its own bucket.
    const orgkit = withLimits({ perEmail: { points: 1, durationSeconds: 600 } });
    await orgkit.createOrGetGuestUser({ email });
    await expect(
      orgkit.createOrGetGuestUser({ email: 'other@example.com' }),
    ).resolves.toMatchObject({ created: true });
  });

  it('per client IP: counted from the request scope, per IP; a call without a client IP is counted by the other limits and warned of once', async () => {
    const warnings: string[] = [];
    const orgkit = withLimits({
      perIp: { points: 2, durationSeconds: 60 },
      perEmail: { points: 5, durationSeconds: 60 },
      onWarning: (message) => warnings.push(message),
    });
    const from = (ipAddress: string, email: string) =>
      orgkit.runWithRequestScope({ ipAddress }, () => orgkit.createOrGetGuestUser({ email }));
    await from('203.0.113.7', 'a@example.com');
    await from('203.0.113.7', 'b@example.com');
    const error = await refusal(from('203.0.113.7', 'c@example.com'));
    expect([error.code, error.reason]).toEqual(['rate_limited', 'ip_limit']);
    expect(error.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.message).not.toContain('203.0.113.7');
    await expect(from('2001:db8::1', 'c@example.com')).resolves.toMatchObject({ created: true });
    expect(warnings).toEqual([]);
    // A job outside any request, or a request whose adapter found no IP: the per-email limit
    // still counts it, and the instance says once that the per-IP one could not.
    await expect(orgkit.createOrGetGuestUser({ email: 'd@example.com' })).resolves.toBeDefined();
    await orgkit.runWithRequestScope({}, () =>
      orgkit.createOrGetGuestUser({ email: 'e@example.com' }),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /createOrGetGuestUser: the per-IP guest limit is on but a request had no client IP/,
    );
    for (let i = 0; i < 4; i++) await orgkit.createOrGetGuestUser({ email: 'd@example.com' });
    expect((await refusal(orgkit.createOrGetGuestUser({ email: 'd@example.com' }))).reason).toBe(
      'email_limit',
    );
  });

  it("missingIp: 'error' refuses a call without a client IP, counting and creating nothing", async () => {
    const orgkit = withLimits({
      perIp: { points: 5, durationSeconds: 60 },
      global: { points: 1, durationSeconds: 60 },
      missingIp: 'error',
    });
    const error = await refusal(orgkit.createOrGetGuestUser({ email: 'no-ip@example.com' }));
    expect([error.code, error.reason, error.details?.limit]).toEqual([
      'rate_limited',
      'ip_unknown',
      'ip',
    ]);
    expect(error.message).toMatch(/no client IP/);
    // Nothing was counted: the one global point is still there for a call with an IP.
    await expect(
      orgkit.runWithRequestScope({ ipAddress: '198.51.100.4' }, () =>
        orgkit.createOrGetGuestUser({ email: 'with-ip@example.com' }),
      ),
    ).resolves.toMatchObject({ created: true });
    const users = await env.workos.userManagement.listUsers({ limit: 100 });
    expect(users.data.map((u) => u.email)).not.toContain('no-ip@example.com');
  });

  it('global: one bucket for every caller; provisionMeetingGuest is counted too', async () => {
    const orgkit = withLimits({ global: { points: 3, durationSeconds: 60 } });
    await orgkit.createOrGetGuestUser({ email: 'g1@example.com' });
    await orgkit.provisionMeetingGuest({ guestEmail: 'g2@example.com' });
    await orgkit.runWithRequestScope({ ipAddress: '198.51.100.1' }, () =>
      orgkit.createOrGetGuestUser({ email: 'g3@example.com' }),
    );
    const error = await refusal(orgkit.provisionMeetingGuest({ guestEmail: 'g4@example.com' }));
    expect([error.code, error.reason, error.message]).toEqual([
      'rate_limited',
      'global_limit',
      expect.stringMatching(/^provisionMeetingGuest: too many guest provisionings for everyone/),
    ]);
    const users = await env.workos.userManagement.listUsers({ limit: 100 });
    expect(users.data.map((u) => u.email).sort()).toEqual([
      'g1@example.com',
      'g2@example.com',
      'g3@example.com',
    ]);
  });

  it('a refused attempt counts in no bucket: a client over its IP limit burns neither the global nor the email budget', async () => {
    const orgkit = withLimits({
      perIp: { points: 1, durationSeconds: 60 },
      perEmail: { points: 2, durationSeconds: 60 },
      global: { points: 3, durationSeconds: 60 },
    });
    const from = (ipAddress: string, email: string) =>
      orgkit.runWithRequestScope({ ipAddress }, () => orgkit.createOrGetGuestUser({ email }));
    await from('192.0.2.1', 'target@example.com');
    for (let i = 0; i < 5; i++) {
      expect((await refusal(from('192.0.2.1', 'target@example.com'))).reason).toBe('ip_limit');
    }
    // Had the refusals counted, the email (2) and global (3) buckets would be used up.
    await expect(from('192.0.2.2', 'target@example.com')).resolves.toBeDefined();
    await expect(from('192.0.2.3', 'someone@example.com')).resolves.toBeDefined();
    expect((await refusal(from('192.0.2.4', 'third@example.com'))).reason).toBe('global_limit');
  });

  it('default limits apply unless turned off; limits: false lets every call through', async () => {
    const limited = openOrgkit(env.emulator, t.db, { guests: { limits: {} } }).orgkit;
    for (let i = 0; i < 10; i++) await limited.createOrGetGuestUser({ email: 'dflt@example.com' });
    expect(
      (await refusal(limited.createOrGetGuestUser({ email: 'dflt@example.com' }))).reason,
    ).toBe('email_limit');
    const open = openOrgkit(env.emulator, t.db, { guests: { limits: false } }).orgkit;
    for (let i = 0; i < 12; i++) await open.createOrGetGuestUser({ email: 'dflt@example.com' });
  });
});

describe('verifyHuman', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await openTestDatabase({ url: undefined });
  });
  afterEach(async () => {
    await t.close();
  });

  it('runs first with the token and the request; a false verdict creates nothing in WorkOS or the database and counts no limit', async () => {
    const seen: unknown[] = [];
    const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db, {
      guests: {
        limits: { ...OFF, perEmail: { points: 1, durationSeconds: 60 } },
        verifyHuman: async (request) => {
          seen.push(request);
          return request.token === 'passed';
        },
      },
    });
    for (const humanToken of ['forged', undefined]) {
      const error = await refusal(
        orgkit.runWithRequestScope(
          { ipAddress: '203.0.113.9', userAgent: 'bot/1.0', requestId: 'req-1' },
          () => orgkit.createOrGetGuestUser({ email: 'pat@example.com' }, { humanToken }),
        ),
      );
      expect([error.code, error.reason]).toEqual(['forbidden', 'human_verification_failed']);
    }
    expect(seen[0]).toEqual({
      token: 'forged',
      ipAddress: '203.0.113.9',
      userAgent: 'bot/1.0',
      requestId: 'req-1',
      inRequest: true,
    });
    expect(seen[1]).toMatchObject({ token: undefined, inRequest: true });
    expect(fetchFn.requests).toEqual([]);
    expect((await env.workos.userManagement.listUsers({ limit: 10 })).data).toEqual([]);
    expect(await t.db.select().from(tables.guestProvisioning)).toEqual([]);
    expect(await t.db.select().from(tables.users)).toEqual([]);

    // The refusals counted nothing: the one call the email allows still goes through.
    const guest = await orgkit.provisionMeetingGuest(
      { guestEmail: 'pat@example.com' },
      { humanToken: 'passed' },
    );
    expect(guest.created).toBe(true);
    expect(seen.at(-1)).toMatchObject({ token: 'passed', inRequest: false });
  });

  it('a hook that throws fails closed as upstream_unavailable; an OrgkitError it throws passes through', async () => {
    const { orgkit, fetchFn } = openOrgkit(env.emulator, t.db, {
      guests: {
        verifyHuman: async ({ token }) => {
          if (token === 'down') throw new Error('siteverify: ECONNRESET');
          throw new OrgkitError('forbidden', 'no', { reason: 'app_says_no' });
        },
      },
    });
    const down = await refusal(
      orgkit.createOrGetGuestUser({ email: 'x@example.com' }, { humanToken: 'down' }),
    );
    expect([down.code, down.reason]).toEqual([
      'upstream_unavailable',
      'human_verification_unavailable',
    ]);
    expect(down.message).not.toContain('ECONNRESET');
    const own = await refusal(
      orgkit.createOrGetGuestUser({ email: 'x@example.com' }, { humanToken: 'x' }),
    );
    expect(own.reason).toBe('app_says_no');
    expect(fetchFn.requests).toEqual([]);
  });

  it('refuses bad call options with invalid_input naming the key, before the hook runs', async () => {
    let calls = 0;
    const { orgkit } = openOrgkit(env.emulator, t.db, {
      guests: { verifyHuman: () => ++calls > 0 },
    });
    for (const options of [
      { humanToken: '' },
      { humanToken: 'x'.repeat(4097) },
      { humanToken: 7 },
    ]) {
      const error = await refusal(
        orgkit.createOrGetGuestUser({ email: 'y@example.com' }, options as never),
      );
      expect([error.code, error.details?.key]).toEqual(['invalid_input', 'humanToken']);
      expect(error.message).toMatch(/^createOrGetGuestUser: options: humanToken: /);
    }
    const extra = await refusal(
      orgkit.createOrGetGuestUser({ email: 'y@example.com' }, { captcha: 'x' } as never),
    );
    expect(extra.code).toBe('invalid_input');
    expect(calls).toBe(0);
  });
});

describe('guest limits configuration', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await openTestDatabase({ url: undefined });
  });
  afterEach(async () => {
    await t.close();
  });

  it.each([
    [{ limits: { perIp: { points: 0, durationSeconds: 60 } } }, 'guests.limits.perIp'],
    [{ limits: { perEmail: { points: 5 } } }, 'guests.limits.perEmail'],
    [{ limits: { global: true } }, 'guests.limits.global'],
    [{ limits: { store: 'redis' } }, 'guests.limits.store'],
    [{ limits: { store: { redis: {} } } }, 'guests.limits.store'],
    [{ limits: { store: { postgres: 'postgres://x' } } }, 'guests.limits.store'],
    [{ limits: { perIp: false, rate: 1 } }, 'guests.limits'],
    [{ limits: { keyPrefix: '' } }, 'guests.limits.keyPrefix'],
    [{ limits: { keySecret: 'too short to be a secret' } }, 'guests.limits.keySecret'],
    [{ limits: true }, 'guests.limits'],
    [{ verifyHuman: 'turnstile' }, 'guests.verifyHuman'],
  ])('%j is invalid_config naming %s', (guests, key) => {
    let thrown: unknown;
    try {
      createOrgkit({ database: t.db, guests: guests as never });
    } catch (error) {
      thrown = error;
    }
    expect(isOrgkitError(thrown) && thrown.code).toBe('invalid_config');
    expect((thrown as Error).message).toMatch(new RegExp(`^createOrgkit: ${key}(\\.|:)`));
  });
});

describe('guest limits with their shared store down', () => {
  it('each instance counts in memory (insurance) instead of letting every attempt through', async () => {
    const t = await openTestDatabase({ url: undefined });
    // Nothing listens on port 1; no offline queue, so every command fails at once.
    const redis = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false });
    redis.on('error', () => undefined);
    try {
      const { orgkit } = openOrgkit(env.emulator, t.db, {
        guests: {
          limits: { ...OFF, perEmail: { points: 1, durationSeconds: 60 }, store: { redis } },
        },
      });
      await orgkit.createOrGetGuestUser({ email: 'down@example.com' });
      const error = await refusal(orgkit.createOrGetGuestUser({ email: 'DOWN@example.com' }));
      expect([error.code, error.reason]).toEqual(['rate_limited', 'email_limit']);
    } finally {
      redis.disconnect();
      await t.close();
    }
  });
});

describe.runIf(REDIS_URL)('guest limits shared through Redis', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('two instances, each with its own connection, share the per-email and global buckets', async () => {
    const t = await openTestDatabase({ url: undefined });
    try {
      const keyPrefix = `orgkit:test:${crypto.randomUUID()}`;
      const keySecret = 'a shared secret of at least thirty-two characters';
      const open = () => {
        const redis = new Redis(REDIS_URL!);
        clients.push(redis);
        return openOrgkit(env.emulator, t.db, {
          guests: {
            limits: {
              ...OFF,
              perEmail: { points: 2, durationSeconds: 60 },
              global: { points: 3, durationSeconds: 60 },
              store: { redis },
              keyPrefix,
              keySecret,
            },
          },
        }).orgkit;
      };
      const a = open();
      const b = open();
      await a.createOrGetGuestUser({ email: 'shared@example.com' });
      await b.createOrGetGuestUser({ email: ' SHARED@example.com' });
      expect((await refusal(a.createOrGetGuestUser({ email: 'shared@example.com' }))).reason).toBe(
        'email_limit',
      );
      await b.createOrGetGuestUser({ email: 'other@example.com' });
      const error = await refusal(a.createOrGetGuestUser({ email: 'third@example.com' }));
      expect([error.reason, error.details?.retryAfterSeconds]).toEqual([
        'global_limit',
        expect.any(Number),
      ]);
      // Keys hold keyed digests, never the email, nor its plain hash (guessable from a list).
      const keys = await clients[0]!.keys(`${keyPrefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toContain('example.com');
      const hmac = createHmac('sha256', keySecret).update('shared@example.com').digest('base64url');
      const plain = createHash('sha256').update('shared@example.com').digest('base64url');
      expect(keys).toContain(`${keyPrefix}:email:${hmac}`);
      expect(keys.join(' ')).not.toContain(plain);
    } finally {
      await t.close();
    }
  });
});

describe.runIf(DATABASE_URL)('guest limits shared through Postgres', () => {
  it('two instances, each with its own pool, share the per-IP and per-email buckets', async () => {
    const t = await openTestDatabase({ url: undefined });
    const tableName = `orgkit_rl_test_${crypto.randomUUID().replaceAll('-', '')}`;
    const pools = [
      new pg.Pool({ connectionString: DATABASE_URL }),
      new pg.Pool({ connectionString: DATABASE_URL }),
    ];
    try {
      const [a, b] = pools.map(
        (postgres) =>
          openOrgkit(env.emulator, t.db, {
            guests: {
              limits: {
                ...OFF,
                perIp: { points: 2, durationSeconds: 60 },
                perEmail: { points: 1, durationSeconds: 60 },
                store: { postgres, tableName },
              },
            },
          }).orgkit,
      );
      const from = (o: typeof a, ipAddress: string, email: string) =>
        o!.runWithRequestScope({ ipAddress }, () => o!.createOrGetGuestUser({ email }));
      // Both instances create the table at once on their first call.
      await Promise.all([
        from(a, '203.0.113.5', 'one@example.com'),
        from(b, '203.0.113.5', 'two@example.com'),
      ]);
      expect((await refusal(from(a, '203.0.113.5', 'three@example.com'))).reason).toBe('ip_limit');
      expect((await refusal(from(b, '198.51.100.5', 'One@Example.com'))).reason).toBe(
        'email_limit',
      );
      const { rows } = await pools[0]!.query<{ key: string }>(`SELECT key FROM "${tableName}"`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.key).join(' ')).not.toMatch(/example\.com|203\.0\.113/);
    } finally {
      await pools[0]!.query(`DROP TABLE IF EXISTS "${tableName}"`);
      await Promise.all(pools.map((p) => p.end()));
      await t.close();
    }
  });
});
