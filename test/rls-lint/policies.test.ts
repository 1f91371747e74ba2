import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS } from '../support/databases.js';
import { brief, withLintFixture } from './support.js';

const ORG = `(select nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'org_id')`;
const OWN = '(select auth.user_id()) = user_id';

/** A table with RLS forced and its policy columns indexed, so only policy findings remain. */
function table(name: string): string[] {
  return [
    `CREATE TABLE {s}.${name} (id int, org_id text, user_id text)`,
    `CREATE INDEX ON {s}.${name} (org_id)`,
    `CREATE INDEX ON {s}.${name} (user_id)`,
    `ALTER TABLE {s}.${name} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE {s}.${name} FORCE ROW LEVEL SECURITY`,
  ];
}

describe.each(DATABASE_TARGETS)('lintRls policies on $name', ({ url }) => {
  it('reports always-true policies the request role gets, and policies for PUBLIC', async () => {
    await withLintFixture(url, async ({ run, lint, schema, createRole }) => {
      const admin = await createRole();
      const group = await createRole();
      await run(
        `GRANT ${group} TO authenticated`,
        ...table('posts'),
        'CREATE POLICY read_all ON {s}.posts FOR SELECT TO authenticated USING (true)',
        'CREATE POLICY insert_any ON {s}.posts FOR INSERT TO authenticated',
        `CREATE POLICY insert_true ON {s}.posts FOR INSERT TO authenticated WITH CHECK (${OWN} OR true)`,
        `CREATE POLICY via_group ON {s}.posts FOR UPDATE TO ${group} USING (${OWN}) WITH CHECK (true)`,
        // Not reported: a restrictive true narrows nothing, an admin role's true is not the request role's.
        'CREATE POLICY guard ON {s}.posts AS RESTRICTIVE FOR SELECT TO authenticated USING (true)',
        `CREATE POLICY admin_all ON {s}.posts FOR ALL TO ${admin} USING (true)`,
        `CREATE POLICY "Delete own" ON {s}.posts FOR DELETE USING (${OWN})`,
      );
      const findings = await lint();
      const posts = `${schema}.posts`;
      // Postgres stores `(… OR true)` as written; it is still always true.
      expect(brief(findings)).toEqual([
        { rule: 'policy_always_true', level: 'error', table: posts, policy: 'insert_any' },
        { rule: 'policy_always_true', level: 'error', table: posts, policy: 'insert_true' },
        { rule: 'policy_always_true', level: 'error', table: posts, policy: 'read_all' },
        { rule: 'policy_always_true', level: 'error', table: posts, policy: 'via_group' },
        { rule: 'policy_to_public', level: 'warning', table: posts, policy: 'Delete own' },
        // insert_any and insert_true: two permissive INSERT policies.
        { rule: 'multiple_permissive_policies', level: 'info', table: posts },
      ]);
      expect(findings[0]!.message).toContain('an INSERT without WITH CHECK');
      expect(findings[3]!.message).toContain('a WITH CHECK that is always true');
      await run(findings[4]!.fix!);
      expect(brief(await lint()).map((found) => found.policy)).not.toContain('Delete own');
    });
  });

  it('reports an UPDATE policy on a table the request role has no SELECT policy for', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run(
        ...table('drafts'),
        `CREATE POLICY drafts_update ON {s}.drafts FOR UPDATE TO authenticated USING (${OWN}) WITH CHECK (${OWN})`,
        ...table('notes'),
        `CREATE POLICY notes_update ON {s}.notes FOR UPDATE TO authenticated USING (${OWN}) WITH CHECK (${OWN})`,
        `CREATE POLICY notes_all ON {s}.notes FOR ALL TO authenticated USING (${OWN})`,
      );
      const notes = `${schema}.notes`;
      expect(brief(await lint())).toEqual([
        {
          rule: 'update_without_select_policy',
          level: 'warning',
          table: `${schema}.drafts`,
          policy: 'drafts_update',
        },
        // notes_all covers UPDATE too, beside notes_update.
        { rule: 'multiple_permissive_policies', level: 'info', table: notes },
      ]);
      await run(
        `CREATE POLICY drafts_select ON {s}.drafts FOR SELECT TO authenticated USING (${OWN})`,
      );
      expect(brief(await lint())).toEqual([
        { rule: 'multiple_permissive_policies', level: 'info', table: notes },
      ]);
    });
  });

  it('reports a compared policy column that leads no index, once per column', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run(
        'CREATE TABLE {s}.events (id int, org_id text, user_id text, title text, "Team Id" text)',
        'CREATE INDEX ON {s}.events (user_id, org_id)',
        'ALTER TABLE {s}.events ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE {s}.events FORCE ROW LEVEL SECURITY',
        `CREATE POLICY by_org ON {s}.events FOR SELECT TO authenticated USING (org_id = ${ORG} AND title IS NOT NULL)`,
        `CREATE POLICY by_org_cast ON {s}.events FOR DELETE TO authenticated USING ((org_id)::text = ${ORG})`,
        `CREATE POLICY own ON {s}.events FOR UPDATE TO authenticated USING (user_id = (select auth.user_id())) WITH CHECK (${OWN})`,
        `CREATE POLICY by_team ON {s}.events FOR INSERT TO authenticated WITH CHECK ("Team Id" IN (SELECT e.title FROM {s}.events e WHERE e.title = (select auth.user_id())))`,
      );
      const findings = await lint();
      const events = `${schema}.events`;
      expect(brief(findings)).toEqual([
        { rule: 'unindexed_policy_column', level: 'warning', table: events },
        { rule: 'unindexed_policy_column', level: 'warning', table: events },
      ]);
      expect(findings.map((found) => found.cacheKey)).toEqual([
        `unindexed_policy_column_${events}_Team Id`,
        `unindexed_policy_column_${events}_org_id`,
      ]);
      expect(findings[1]!.message).toContain('policies by_org, by_org_cast');
      for (const found of findings) await run(found.fix!);
      expect(await lint()).toEqual([]);
    });
  });
});
