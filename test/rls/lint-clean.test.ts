import { describe, expect, it } from 'vitest';
import type { RlsTarget } from '../../src/rls/index.js';
import { lintRls } from '../../src/rls/lint/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { prepare } from './support.js';

// The generator and the lint are written apart; each keeps the other honest.
describe.each(DATABASE_TARGETS)('generated SQL under orgkit rls lint on $name', (database) => {
  it.each<RlsTarget>(['postgres', 'neon', 'supabase'])(
    '%s: no error or warning, only internal tables without a policy (info)',
    async (target) => {
      const test = await openTestDatabase(database, { plain: true });
      try {
        await prepare(test, target);
        const findings = await lintRls(test.db, { schemas: [test.schema] });
        expect(findings.filter((f) => f.level !== 'info')).toEqual([]);
        const notes = findings.map((f) => `${f.rule} ${f.table}`);
        expect(notes.length).toBeGreaterThan(0);
        expect(notes.every((n) => /^rls_enabled_no_policy \S+\.orgkit_/.test(n))).toBe(true);
      } finally {
        await test.close();
      }
    },
  );
});
