import {
  BadRequestException,
  GenericServerException,
  NotFoundException,
  RateLimitExceededException,
  UnauthorizedException,
  UnprocessableEntityException,
} from '@workos-inc/node';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/audit/forward/backoff.js';
import { classifyForwardError } from '../../src/audit/forward/classify-error.js';
import { createOutbox } from '../../src/audit/forward/outbox.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { outboxRows } from './forward-support.js';

const tables = createOrgkitTables();
const lease = { batchSize: 10, maxAttempts: 3, leaseMs: 60_000 };

describe.each(DATABASE_TARGETS)('the WorkOS outbox’s leases (database: $name)', (target) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(target);
    await database.db.execute(
      sql`INSERT INTO orgkit_audit_outbox (event_id, workos_org_id) VALUES (1, 'org_a'), (2, 'org_a')`,
    );
  });
  afterEach(() => database?.close());

  it('leases a row to one drain at a time, and to another once the lease has expired', async () => {
    const outbox = createOutbox(database.db, tables);
    expect((await outbox.lease('drain-a', lease)).map((e) => e.eventId)).toEqual([1n, 2n]);
    expect(await outbox.lease('drain-b', lease)).toEqual([]);

    await database.db.execute(
      sql`UPDATE orgkit_audit_outbox SET lease_expires_at = now() - interval '1 second' WHERE event_id = 1`,
    );
    expect(await outbox.lease('drain-b', lease)).toEqual([
      { eventId: 1n, organizationId: 'org_a', attempts: 0 },
    ]);
    // Drain A lost event 1: it can neither renew, record a failure for, put back nor remove it.
    expect(await outbox.renew(1n, 'drain-a', 60_000)).toBe(false);
    expect(await outbox.fail(1n, 'drain-a', { attempts: 1, delayMs: 0, error: 'http_503' })).toBe(
      false,
    );
    expect(await outbox.putBack([1n], 'drain-a', 0)).toBe(0);
    expect(await outbox.remove(1n, 'drain-a')).toBe(false);
    expect(await outboxRows(database.db)).toMatchObject([
      { event_id: '1', attempts: 0, last_error: null, leased: true },
      { event_id: '2', leased: true },
    ]);
    expect(await outbox.remove(1n, 'drain-b')).toBe(true);
    expect(await outbox.remove(2n, 'drain-a')).toBe(true);
    expect(await outboxRows(database.db)).toEqual([]);
  });

  it('leases only due rows with attempts left, and counts the ones given up on', async () => {
    const outbox = createOutbox(database.db, tables);
    await outbox.lease('drain-a', lease);
    expect(
      await outbox.fail(1n, 'drain-a', { attempts: 1, delayMs: 60_000, error: 'timeout' }),
    ).toBe(true);
    expect(await outbox.fail(2n, 'drain-a', { attempts: 3, delayMs: 0, error: 'http_400' })).toBe(
      true,
    );
    expect(await outbox.lease('drain-b', lease)).toEqual([]);
    expect(await outbox.countAbandoned(lease.maxAttempts)).toBe(1);
    // A higher maxAttempts gives the abandoned row its turn again.
    expect(
      (await outbox.lease('drain-b', { ...lease, maxAttempts: 4 })).map((e) => e.eventId),
    ).toEqual([2n]);
  });
});

describe('retry delays', () => {
  it('double from baseDelayMs up to maxDelayMs, with at most half of each delay jitter', () => {
    const options = { baseDelayMs: 1_000, maxDelayMs: 10_000 };
    expect([1, 2, 3, 4, 5, 30].map((n) => retryDelayMs(n, options, 0, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const ceiling = Math.min(10_000, 1_000 * 2 ** (n - 1));
          const delay = retryDelayMs(n, options, 0, () => r);
          expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('wait at least a 429’s Retry-After, even past maxDelayMs', () => {
    expect(retryDelayMs(1, { baseDelayMs: 0, maxDelayMs: 0 }, 30_000)).toBe(30_000);
    expect(retryDelayMs(1, { baseDelayMs: 100, maxDelayMs: 1_000 }, 120_000)).toBe(120_000);
  });
});

describe('classifying a failed send', () => {
  it('by the SDK’s status, never its message', () => {
    const unprocessable = new UnprocessableEntityException({
      code: 'invalid',
      errors: [{ code: 'required', field: 'event.action' }],
      message: 'Validation failed for patient Jane Doe',
      requestID: 'req_1',
    });
    expect(classifyForwardError(unprocessable)).toEqual({ code: 'http_422', kind: 'rejected' });
    expect(
      classifyForwardError(
        new BadRequestException({
          code: 'invalid_audit_log_event',
          errors: [],
          message: 'x',
          requestID: '',
        }),
      ),
    ).toEqual({ code: 'http_400', kind: 'rejected' });
    expect(classifyForwardError(new NotFoundException({ path: '/x', requestID: '' }))).toEqual({
      code: 'http_404',
      kind: 'rejected',
    });
    expect(classifyForwardError(new UnauthorizedException('req_1'))).toEqual({
      code: 'http_401',
      kind: 'unavailable',
    });
    expect(classifyForwardError(new GenericServerException(503, 'down', {}, 'req_1'))).toEqual({
      code: 'http_503',
      kind: 'unavailable',
    });
  });

  it('takes Retry-After from a 429, and ignores one it cannot read', () => {
    expect(classifyForwardError(new RateLimitExceededException('slow down', 'req_1', 3))).toEqual({
      code: 'rate_limited',
      kind: 'unavailable',
      retryAfterMs: 3_000,
    });
    expect(
      classifyForwardError(new RateLimitExceededException('slow down', 'req_1', Number.NaN)),
    ).toEqual({
      code: 'rate_limited',
      kind: 'unavailable',
    });
  });

  it('names network failures and timeouts by their cause', () => {
    const reset = new Error('Unexpected error: TypeError: fetch failed', {
      cause: new TypeError('fetch failed', {
        cause: Object.assign(new Error('read'), { code: 'ECONNRESET' }),
      }),
    });
    expect(classifyForwardError(reset)).toEqual({
      code: 'network_econnreset',
      kind: 'unavailable',
    });
    const timeout = new Error('Unexpected error', {
      cause: new DOMException('late', 'TimeoutError'),
    });
    expect(classifyForwardError(timeout)).toEqual({ code: 'timeout', kind: 'unavailable' });
    expect(classifyForwardError(new Error('boom'))).toEqual({
      code: 'unexpected_error',
      kind: 'unavailable',
    });
  });
});
