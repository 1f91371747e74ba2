import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../src/errors/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { auditCounts, auditOrgkit } from './support.js';

// Values that are wrong in shape, size or content for any argument.
const hostile = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    '',
    ' ',
    '\u0000',
    "'; DROP TABLE audit_logs; --",
    '{"$where": 1}',
    '__proto__',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1,
    2 ** 64,
    true,
    [],
    {},
    () => 1,
    Symbol('s'),
    10n,
    new Date(Number.NaN),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 300, maxLength: 2_000 }),
  fc.object({ maxDepth: 2 }),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')),
);

async function outcome(call: () => Promise<unknown>) {
  try {
    await call();
    return 'accepted';
  } catch (error) {
    if (!isOrgkitError(error)) throw error; // a raw driver error or TypeError fails the property
    return error.code;
  }
}

describe.each(DATABASE_TARGETS)(
  'audit functions against hostile input (database: $name)',
  (target) => {
    let database: TestDatabase;
    let orgkit: ReturnType<typeof auditOrgkit>;
    beforeAll(async () => {
      database = await openTestDatabase(target);
      orgkit = auditOrgkit(database.db);
    });
    afterAll(() => database?.close());

    it('answers invalid_input and writes nothing, for any bad argument of logAuditEvent', async () => {
      const before = await auditCounts(database.db);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 5 }), hostile, async (position, bad) => {
          const args: unknown[] = [
            'x.y',
            'thing',
            'id_1',
            null,
            null,
            { actor: { userId: 'u1' }, organizationId: 'org_a' },
          ];
          args[position] = bad;
          // Only invalid values are of interest; a value valid where it lands is skipped.
          const call = () =>
            (orgkit.logAuditEvent as (...a: unknown[]) => Promise<unknown>)(...args);
          const result = await outcome(call);
          if (result === 'accepted') return;
          expect(result).toBe('invalid_input');
        }),
        { numRuns: Number(process.env.ORGKIT_PROPERTY_RUNS ?? 150) },
      );
      // Accepted calls each wrote one event; rejected ones nothing. The chain is still sound.
      const report = await orgkit.verifyAuditChain();
      expect(report.valid).toBe(true);
      expect(Number((await auditCounts(database.db))?.events) - Number(before?.events)).toBe(
        report.eventsChecked,
      );
    });

    it('answers invalid_input for bad queries, checkpoints, batches and purge options', async () => {
      const before = await auditCounts(database.db);
      await fc.assert(
        fc.asyncProperty(
          hostile,
          fc.constantFrom('query', 'verify', 'batch', 'purge'),
          async (bad, fn) => {
            const calls = {
              query: () => orgkit.queryAuditEvents(bad as never),
              verify: () => orgkit.verifyAuditChain({ checkpoint: bad as never }),
              batch: () => orgkit.logAuditEvents(bad as never),
              purge: () => orgkit.purgeExpiredAuditEvents({ retentionDays: bad as never }),
            };
            const result = await outcome(calls[fn]);
            if (result !== 'accepted') expect(result).toBe('invalid_input');
          },
        ),
        { numRuns: Number(process.env.ORGKIT_PROPERTY_RUNS ?? 150) },
      );
      expect(await auditCounts(database.db)).toEqual(before);
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });
  },
);
