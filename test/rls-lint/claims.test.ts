import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS } from '../support/databases.js';
import { brief, withLintFixture } from './support.js';

const ORG_CLAIM = `(select nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'org_id')`;

// Two tables the way orgkit's generator writes them: every claim read wrapped, FORCE, TO
// authenticated, an index leading with each compared column, a security_invoker view.
const CLEAN = [
  'CREATE TABLE {s}.members (org_id text NOT NULL, user_id text NOT NULL)',
  'CREATE INDEX ON {s}.members (user_id)',
  'ALTER TABLE {s}.members ENABLE ROW LEVEL SECURITY',
  'ALTER TABLE {s}.members FORCE ROW LEVEL SECURITY',
  'CREATE POLICY members_own ON {s}.members FOR SELECT TO authenticated USING (user_id = (select auth.user_id()))',
  'CREATE TABLE {s}.docs (id int PRIMARY KEY, org_id text NOT NULL, user_id text NOT NULL)',
  'CREATE INDEX ON {s}.docs (org_id, user_id)',
  'CREATE INDEX ON {s}.docs (user_id)',
  'ALTER TABLE {s}.docs ENABLE ROW LEVEL SECURITY',
  'ALTER TABLE {s}.docs FORCE ROW LEVEL SECURITY',
  `CREATE POLICY docs_select ON {s}.docs FOR SELECT TO authenticated USING (org_id = ${ORG_CLAIM} OR user_id = (select auth.user_id()))`,
  'CREATE POLICY docs_insert ON {s}.docs FOR INSERT TO authenticated WITH CHECK ((select auth.user_id()) = user_id)',
  'CREATE POLICY docs_update ON {s}.docs FOR UPDATE TO authenticated USING ((select auth.user_id()) = user_id) WITH CHECK ((select auth.user_id()) = user_id)',
  'CREATE POLICY docs_delete ON {s}.docs FOR DELETE TO authenticated USING (org_id IN (select m.org_id from {s}.members m where m.user_id = (select auth.user_id())))',
  'CREATE VIEW {s}.my_docs WITH (security_invoker = true) AS SELECT * FROM {s}.docs',
  'GRANT SELECT ON {s}.my_docs TO authenticated',
];

describe.each(DATABASE_TARGETS)('lintRls claim reads on $name', ({ url }) => {
  it('finds nothing in a schema written the way the generator writes it', async () => {
    await withLintFixture(url, async (fixture) => {
      await fixture.run(...CLEAN);
      expect(await fixture.lint()).toEqual([]);
    });
  });

  it("reports the seed's unwrapped auth.user_id() = user_id, and not the wrapped form", async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run(
        'CREATE TABLE {s}.meetings (id int, user_id text)',
        'CREATE INDEX ON {s}.meetings (user_id)',
        'ALTER TABLE {s}.meetings ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE {s}.meetings FORCE ROW LEVEL SECURITY',
        'CREATE POLICY meetings_owner ON {s}.meetings TO authenticated USING (auth.user_id() = user_id)',
      );
      const findings = await lint();
      expect(brief(findings)).toEqual([
        {
          rule: 'auth_call_not_wrapped',
          level: 'warning',
          table: `${schema}.meetings`,
          policy: 'meetings_owner',
        },
      ]);
      expect(findings[0]!.message).toContain(
        `policy meetings_owner on ${schema}.meetings calls auth.user_id() outside a sub-select`,
      );
      expect(findings[0]!.message).toContain('(select auth.user_id()) = user_id');
      expect(findings[0]!.cacheKey).toBe(`auth_call_not_wrapped_${schema}.meetings_meetings_owner`);
      expect(findings[0]!.fix).toBe(
        `ALTER POLICY meetings_owner ON ${schema}.meetings USING (((SELECT auth.user_id()) = user_id));`,
      );

      await run(
        'ALTER POLICY meetings_owner ON {s}.meetings USING ((select auth.user_id()) = user_id)',
      );
      expect(await lint()).toEqual([]);
    });
  });

  it('reports per-row claim reads: correlated sub-selects, current_setting, WITH CHECK, auth.uid()', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      const t = `${schema}.rows`;
      await run(
        'CREATE TABLE {s}.rows (id int, org_id text, user_id text)',
        'CREATE INDEX ON {s}.rows (org_id)',
        'CREATE INDEX ON {s}.rows (user_id)',
        'ALTER TABLE {s}.rows ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE {s}.rows FORCE ROW LEVEL SECURITY',
        // Neon's authUid shape: wrapped together with the row's column, a SubPlan per row.
        'CREATE POLICY a_neon ON {s}.rows FOR SELECT TO authenticated USING ((select auth.user_id() = user_id))',
        'CREATE POLICY b_exists ON {s}.rows FOR SELECT TO authenticated USING (EXISTS (SELECT 1 FROM {s}.rows r2 WHERE r2.org_id = rows.org_id AND r2.user_id = auth.user_id()))',
        `CREATE POLICY c_setting ON {s}.rows FOR SELECT TO authenticated USING (user_id = current_setting('request.jwt.claims', true)::jsonb ->> 'sub')`,
        'CREATE POLICY d_check ON {s}.rows FOR INSERT TO authenticated WITH CHECK (user_id = auth.user_id())',
        'CREATE POLICY e_uid ON {s}.rows FOR DELETE TO authenticated USING (auth.uid()::text = user_id)',
        'CREATE POLICY f_uid_wrapped ON {s}.rows FOR DELETE TO authenticated USING ((select auth.uid())::text = user_id)',
        // Not claim reads: other functions per row are not this rule's business.
        `CREATE POLICY g_other ON {s}.rows FOR SELECT TO authenticated USING (lower(user_id) = (select auth.user_id()) AND org_id <> 'x')`,
      );
      const findings = await lint();
      expect(brief(findings)).toEqual([
        { rule: 'uid_cast_on_text_id', level: 'error', table: t, policy: 'e_uid' },
        { rule: 'uid_cast_on_text_id', level: 'error', table: t, policy: 'f_uid_wrapped' },
        { rule: 'auth_call_not_wrapped', level: 'warning', table: t, policy: 'a_neon' },
        { rule: 'auth_call_not_wrapped', level: 'warning', table: t, policy: 'b_exists' },
        { rule: 'auth_call_not_wrapped', level: 'warning', table: t, policy: 'c_setting' },
        { rule: 'auth_call_not_wrapped', level: 'warning', table: t, policy: 'd_check' },
        { rule: 'auth_call_not_wrapped', level: 'warning', table: t, policy: 'e_uid' },
        // Several permissive SELECT and DELETE policies: deliberate here.
        { rule: 'multiple_permissive_policies', level: 'info', table: t },
        { rule: 'multiple_permissive_policies', level: 'info', table: t },
      ]);

      // The suggested ALTER POLICY wraps each per-row read; correlated shapes come without one.
      for (const found of findings) {
        if (found.rule === 'auth_call_not_wrapped' && found.fix) await run(found.fix);
      }
      expect(brief(await lint())).toEqual([
        { rule: 'uid_cast_on_text_id', level: 'error', table: t, policy: 'e_uid' },
        { rule: 'uid_cast_on_text_id', level: 'error', table: t, policy: 'f_uid_wrapped' },
        { rule: 'auth_call_not_wrapped', level: 'warning', table: t, policy: 'a_neon' },
        { rule: 'auth_call_not_wrapped', level: 'warning', table: t, policy: 'b_exists' },
        { rule: 'multiple_permissive_policies', level: 'info', table: t },
        { rule: 'multiple_permissive_policies', level: 'info', table: t },
      ]);
    });
  });
});
