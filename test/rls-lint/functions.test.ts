import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS } from '../support/databases.js';
import { brief, withLintFixture } from './support.js';

const OWN = '(select auth.user_id()) = user_id';

/** A SQL function in the fixture's schema, SECURITY DEFINER unless `invoker`. */
function definer(name: string, options: { returns?: string; body?: string; path?: boolean } = {}) {
  const returns = options.returns ?? 'text';
  const language = returns === 'trigger' ? 'plpgsql' : 'sql';
  const body = options.body ?? (returns === 'trigger' ? 'BEGIN RETURN NEW; END' : "SELECT 'x'");
  return `CREATE FUNCTION {s}.${name}() RETURNS ${returns} LANGUAGE ${language} SECURITY DEFINER${options.path === false ? '' : " SET search_path = ''"} AS $$ ${body} $$`;
}

describe.each(DATABASE_TARGETS)('lintRls functions on $name', ({ url }) => {
  it('reports SECURITY DEFINER functions executable by more roles than need them; each fix clears it', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run(
        // Left to the defaults (PUBLIC executes): called by no policy, an error.
        definer('whoami'),
        // A trigger function granted to the request role: triggers need no EXECUTE, an error.
        definer('stamp', { returns: 'trigger' }),
        'REVOKE ALL ON FUNCTION {s}.stamp() FROM PUBLIC',
        'GRANT EXECUTE ON FUNCTION {s}.stamp() TO authenticated',
        // A policy's helper executable by PUBLIC: a warning (the request role keeps it).
        definer('my_orgs', { returns: 'text[]', body: "SELECT '{}'::text[]" }),
        // The same helper done right: only the request role.
        definer('my_teams', { returns: 'text[]', body: "SELECT '{}'::text[]" }),
        'REVOKE ALL ON FUNCTION {s}.my_teams() FROM PUBLIC',
        'GRANT EXECUTE ON FUNCTION {s}.my_teams() TO authenticated',
        // SECURITY INVOKER functions are not this rule's business.
        'CREATE FUNCTION {s}.plain() RETURNS text LANGUAGE sql AS $$ SELECT 1::text $$',
        'CREATE TABLE {s}.docs (id int, org_id text, user_id text)',
        'CREATE INDEX ON {s}.docs (org_id)',
        'CREATE INDEX ON {s}.docs (user_id)',
        'ALTER TABLE {s}.docs ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE {s}.docs FORCE ROW LEVEL SECURITY',
        `CREATE POLICY docs_select ON {s}.docs FOR SELECT TO authenticated USING (org_id = ANY ((select {s}.my_orgs())::text[]) OR org_id = ANY ((select {s}.my_teams())::text[]))`,
      );
      const findings = await lint();
      expect(
        findings.map(({ rule, level, function: fn }) => ({ rule, level, function: fn })),
      ).toEqual([
        {
          rule: 'security_definer_executable',
          level: 'error',
          function: `${schema}.stamp()`,
        },
        {
          rule: 'security_definer_executable',
          level: 'error',
          function: `${schema}.whoami()`,
        },
        {
          rule: 'security_definer_executable',
          level: 'warning',
          function: `${schema}.my_orgs()`,
        },
      ]);
      const [stamp, whoami, myOrgs] = findings;
      expect(stamp!.message).toContain('executable by authenticated');
      expect(stamp!.message).toContain('trigger function');
      expect(whoami!.message).toContain('executable by PUBLIC');
      expect(myOrgs!.message).toContain('called by policies');
      expect(myOrgs!.fix).toBe(
        `REVOKE ALL ON FUNCTION ${schema}.my_orgs() FROM PUBLIC; GRANT EXECUTE ON FUNCTION ${schema}.my_orgs() TO authenticated;`,
      );
      expect(stamp!.cacheKey).toBe(`security_definer_executable_${schema}.stamp()`);
      // The fixture runs one statement per call.
      for (const found of findings) await run(...found.fix!.split(/;\s*/).filter(Boolean));
      expect(await lint()).toEqual([]);
    });
  });

  it('names anon and anonymous when they may execute a helper, and honours ignore', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run(
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
         END $$`,
        definer('helper'),
        'REVOKE ALL ON FUNCTION {s}.helper() FROM PUBLIC',
        'GRANT EXECUTE ON FUNCTION {s}.helper() TO anon',
      );
      const [found] = await lint();
      expect(found).toMatchObject({
        rule: 'security_definer_executable',
        level: 'error',
        function: `${schema}.helper()`,
        fix: `REVOKE ALL ON FUNCTION ${schema}.helper() FROM anon;`,
      });
      expect(await lint({ ignore: [found!.cacheKey] })).toEqual([]);
    });
  });

  it('reports a SECURITY DEFINER function without its own search_path; the fix pins it', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run(
        definer('loose', { path: false }),
        'REVOKE ALL ON FUNCTION {s}.loose() FROM PUBLIC',
        definer('pinned'),
        'REVOKE ALL ON FUNCTION {s}.pinned() FROM PUBLIC',
      );
      const findings = await lint();
      expect(findings.map((f) => [f.rule, f.level, f.function])).toEqual([
        ['security_definer_search_path', 'error', `${schema}.loose()`],
      ]);
      expect(findings[0]!.fix).toBe(
        `ALTER FUNCTION ${schema}.loose() SET search_path = ${schema}, pg_temp;`,
      );
      await run(findings[0]!.fix!);
      expect(await lint()).toEqual([]);
    });
  });

  it('reports several permissive policies for one command as info, with a merge that keeps the rows', async () => {
    await withLintFixture(url, async ({ run, lint, schema, createRole }) => {
      const other = await createRole();
      await run(
        'CREATE TABLE {s}.notes (id int, org_id text, user_id text)',
        'CREATE INDEX ON {s}.notes (org_id)',
        'CREATE INDEX ON {s}.notes (user_id)',
        'ALTER TABLE {s}.notes ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE {s}.notes FORCE ROW LEVEL SECURITY',
        `CREATE POLICY notes_own ON {s}.notes FOR SELECT TO authenticated USING (${OWN})`,
        `CREATE POLICY notes_org ON {s}.notes FOR SELECT TO authenticated USING (org_id = (select auth.user_id()))`,
        // Another role's policy and a restrictive one do not count.
        `CREATE POLICY notes_admin ON {s}.notes FOR SELECT TO ${other} USING (true)`,
        `CREATE POLICY notes_guard ON {s}.notes AS RESTRICTIVE FOR SELECT TO authenticated USING (org_id IS NOT NULL)`,
        // FOR ALL beside FOR UPDATE: two UPDATE policies, different commands, no merge offered.
        `CREATE POLICY notes_write ON {s}.notes FOR UPDATE TO authenticated USING (${OWN})`,
        `CREATE POLICY notes_all ON {s}.notes FOR ALL TO authenticated USING (${OWN})`,
      );
      const findings = (await lint()).filter((f) => f.rule === 'multiple_permissive_policies');
      expect(brief(findings)).toEqual([
        { rule: 'multiple_permissive_policies', level: 'info', table: `${schema}.notes` },
        { rule: 'multiple_permissive_policies', level: 'info', table: `${schema}.notes` },
      ]);
      expect(findings.map((f) => f.cacheKey)).toEqual([
        `multiple_permissive_policies_${schema}.notes_SELECT`,
        `multiple_permissive_policies_${schema}.notes_UPDATE`,
      ]);
      const select = findings[0]!;
      expect(select.message).toContain('notes_all, notes_org, notes_own');
      // notes_all covers SELECT too: different commands, so no merge is offered.
      expect(select.fix).toBeUndefined();
      await run(`DROP POLICY notes_all ON {s}.notes`, 'DROP POLICY notes_write ON {s}.notes');
      const [merge] = (await lint()).filter((f) => f.rule === 'multiple_permissive_policies');
      expect(merge!.fix).toMatch(
        /^BEGIN; DROP POLICY notes_own ON .*; ALTER POLICY notes_org ON .* USING \(\(.*\) OR \(.*\)\); COMMIT;$/,
      );
      // Inside the fixture's transaction the fix's BEGIN/COMMIT would end it: run the middle.
      const statements = merge!.fix!.split('; ').slice(1, -1);
      await run(...statements);
      expect((await lint()).filter((f) => f.rule === 'multiple_permissive_policies')).toEqual([]);
    });
  });
});
