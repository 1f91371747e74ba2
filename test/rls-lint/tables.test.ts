import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS } from '../support/databases.js';
import { brief, withLintFixture } from './support.js';

// A fix is one or more statements; the fixture runs them one at a time.
const statementsOf = (fix: string) => fix.split(/;\s*/).filter(Boolean);

const OWN_ROW = 'USING ((select auth.user_id()) = owner)';

describe.each(DATABASE_TARGETS)('lintRls tables on $name', ({ url }) => {
  it('reports RLS off, policies without RLS, RLS without FORCE, and RLS without a policy', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run(
        'CREATE TABLE {s}.t_off (id int)',
        'CREATE TABLE {s}.t_policy_off (owner text)',
        'CREATE INDEX ON {s}.t_policy_off (owner)',
        `CREATE POLICY own ON {s}.t_policy_off TO authenticated ${OWN_ROW}`,
        'CREATE TABLE {s}.t_unforced (owner text)',
        'CREATE INDEX ON {s}.t_unforced (owner)',
        'ALTER TABLE {s}.t_unforced ENABLE ROW LEVEL SECURITY',
        `CREATE POLICY own ON {s}.t_unforced TO authenticated ${OWN_ROW}`,
        // orgkit's internal tables are checked too: locked for the request role is a warning.
        'CREATE TABLE {s}.orgkit_sync_cursors (id int)',
        'ALTER TABLE {s}.orgkit_sync_cursors ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE {s}.orgkit_sync_cursors FORCE ROW LEVEL SECURITY',
        'CREATE TABLE {s}.orgkit_audit_heads (id int)',
      );
      const findings = await lint();
      expect(brief(findings)).toEqual([
        { rule: 'policy_exists_rls_disabled', level: 'error', table: `${schema}.t_policy_off` },
        { rule: 'rls_disabled', level: 'error', table: `${schema}.orgkit_audit_heads` },
        { rule: 'rls_disabled', level: 'error', table: `${schema}.t_off` },
        { rule: 'rls_not_forced', level: 'error', table: `${schema}.t_unforced` },
        { rule: 'rls_enabled_no_policy', level: 'info', table: `${schema}.orgkit_sync_cursors` },
      ]);
      const off = findings.find((found) => found.table === `${schema}.t_off`)!;
      expect(off.cacheKey).toBe(`rls_disabled_${schema}.t_off`);
      expect(off.fix).toBe(
        `ALTER TABLE ${schema}.t_off ENABLE ROW LEVEL SECURITY; ALTER TABLE ${schema}.t_off FORCE ROW LEVEL SECURITY;`,
      );
      expect(findings[0]!.message).toContain('(own)');

      // The suggested fixes clear the errors; the locked internal table stays a warning.
      for (const found of findings) if (found.fix) await run(...statementsOf(found.fix));
      expect(brief(await lint())).toEqual([
        { rule: 'rls_enabled_no_policy', level: 'info', table: `${schema}.orgkit_audit_heads` },
        { rule: 'rls_enabled_no_policy', level: 'info', table: `${schema}.orgkit_sync_cursors` },
        { rule: 'rls_enabled_no_policy', level: 'info', table: `${schema}.t_off` },
      ]);
    });
  });

  it('quotes names that need it, and skips what the ignore list names', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run('CREATE TABLE {s}."Mixed Case" (id int)', 'CREATE TABLE {s}.plain (id int)');
      const findings = await lint();
      expect(brief(findings)).toEqual([
        { rule: 'rls_disabled', level: 'error', table: `${schema}."Mixed Case"` },
        { rule: 'rls_disabled', level: 'error', table: `${schema}.plain` },
      ]);
      await run(...statementsOf(findings[0]!.fix!));
      expect(brief(await lint({ ignore: [`rls_disabled_${schema}.plain`] }))).toEqual([
        { rule: 'rls_enabled_no_policy', level: 'info', table: `${schema}."Mixed Case"` },
      ]);
    });
  });
});
