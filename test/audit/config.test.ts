import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { isOrgkitError } from '../../src/errors/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { openTestDatabase } from '../support/databases.js';

describe('createOrgkit({ audit }) refuses a bad configuration at construction', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ url: undefined });
  });
  afterAll(() => database?.close());

  const problem = (audit: unknown) => {
    try {
      createOrgkit({ database: database.db, audit: audit as never });
    } catch (error) {
      if (isOrgkitError(error) && error.code === 'invalid_config') return error.message;
      throw error;
    }
    return undefined;
  };

  it('names the key and the problem', () => {
    expect(problem({ redact: ['patient..notes'] })).toMatch(/audit\.redact: "patient\.\.notes"/);
    expect(problem({ allow: ['a.*b'] })).toMatch(/audit\.allow/);
    expect(problem({ checkpointKey: 'short' })).toMatch(/audit\.checkpointKey: use at least 32/);
    expect(problem({ readPermission: 'audit:reed' })).toMatch(
      /audit\.readPermission: "audit:reed" is not a permission/,
    );
    expect(problem({ forwardToWorkOS: true })).toMatch(/audit\.forwardToWorkOS: needs the workos/);
    expect(problem({ retentionDays: 0 })).toMatch(/audit\.retentionDays/);
    expect(problem({ events: ['meeting.booked'] })).toMatch(
      /audit\.events: expected defineAuditEvents/,
    );
    expect(problem({ unknownKey: true })).toMatch(/audit/);
    expect(
      problem({ redact: ['patient.notes', '**.ssn', '*.dob'], retentionDays: 3_650 }),
    ).toBeUndefined();
  });
});
