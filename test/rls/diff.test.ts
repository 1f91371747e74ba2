import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  diffRls,
  generateRlsSql,
  lintRls,
  type RlsDiff,
  type RlsTarget,
} from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { appModel, execScript, prepare } from './support.js';

/**
 * One drift, as a person or a tool (drizzle-kit push) might cause it: what `rls diff` must
 * report, what `rls lint` must also catch (rule names), on the `{s}` schema.
 */
interface Drift {
  name: string;
  statements: string[];
  kinds: string[];
  lint: string[];
}

const DRIFTS: Drift[] = [
  {
    name: 'a policy dropped',
    statements: ['DROP POLICY events_select ON {s}.events'],
    kinds: ['policy_missing events_select'],
    lint: ['update_without_select_policy'],
  },
  {
    name: "a policy's expression altered (the claim read per row)",
    statements: [
      `ALTER POLICY events_select ON {s}.events USING (workos_org_id = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'org_id'))`,
    ],
    kinds: ['policy_changed events_select'],
    lint: ['auth_call_not_wrapped'],
  },
  {
    name: 'RLS disabled',
    statements: ['ALTER TABLE {s}.events DISABLE ROW LEVEL SECURITY'],
    kinds: ['rls_disabled'],
    lint: ['policy_exists_rls_disabled'],
  },
  {
    name: 'FORCE removed',
    statements: ['ALTER TABLE {s}.events NO FORCE ROW LEVEL SECURITY'],
    kinds: ['rls_not_forced'],
    lint: ['rls_not_forced'],
  },
  {
    name: 'the membership helper granted to anon',
    statements: ['GRANT EXECUTE ON FUNCTION {s}.orgkit_rls_member_organizations() TO anon'],
    kinds: ['function_granted'],
    lint: ['security_definer_executable'],
  },
  {
    name: 'a permissive USING (true) policy added',
    statements: ['CREATE POLICY sneaky ON {s}.events FOR SELECT TO authenticated USING (true)'],
    kinds: ['policy_extra sneaky'],
    lint: ['policy_always_true', 'multiple_permissive_policies'],
  },
  {
    name: 'every policy of a table dropped (drizzle-kit push)',
    statements: [
      'DROP POLICY events_select ON {s}.events',
      'DROP POLICY events_insert ON {s}.events',
      'DROP POLICY events_update ON {s}.events',
      'DROP POLICY events_delete ON {s}.events',
    ],
    kinds: ['policies_lost'],
    lint: ['rls_enabled_no_policy'],
  },
  {
    name: 'a grant wider than generated',
    statements: ['GRANT TRUNCATE, REFERENCES ON {s}.events TO authenticated'],
    kinds: ['grant_wider'],
    lint: [],
  },
  {
    name: 'the membership helper replaced by a SECURITY INVOKER version',
    statements: [
      `CREATE OR REPLACE FUNCTION {s}.orgkit_rls_member_organizations() RETURNS text[] LANGUAGE sql STABLE SECURITY INVOKER SET search_path = '' AS $$ SELECT '{}'::text[] $$`,
    ],
    kinds: ['function_changed'],
    lint: [],
  },
  {
    name: 'an audit trigger function granted to the request role',
    statements: ['GRANT EXECUTE ON FUNCTION {s}.orgkit_audit_link() TO authenticated'],
    kinds: ['function_granted'],
    lint: ['security_definer_executable'],
  },
];

const TARGETS: RlsTarget[] = ['supabase', 'postgres'];

const kinds = (diff: RlsDiff) =>
  diff.differences.map((d) => [d.kind, d.policy].filter(Boolean).join(' '));

describe.each(DATABASE_TARGETS)('orgkit rls diff on $name', (database) => {
  describe.each(TARGETS)('target %s', (target) => {
    let test: TestDatabase;
    const diff = () => diffRls(test.db, appModel, { target, schema: test.schema });
    const run = async (...statements: string[]) => {
      for (const s of statements) {
        await test.db.execute(sql.raw(s.replaceAll('{s}', `"${test.schema}"`)));
      }
    };
    beforeAll(async () => {
      test = await openTestDatabase(database, { plain: true });
      await run(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
      await prepare(test, target);
    }, 120_000);
    afterAll(() => test?.close());

    it('the generated SQL, applied once or twice, is no drift', async () => {
      expect((await diff()).differences).toEqual([]);
      await execScript(test.db, generateRlsSql(appModel, { target, schema: test.schema }));
      expect(await diff()).toEqual({ differences: [], sql: '' });
    });

    it.each(DRIFTS)('$name: found by diff and by lint; the printed SQL mends it', async (drift) => {
      await run(...drift.statements);
      const found = await diff();
      expect(kinds(found)).toEqual(drift.kinds);
      for (const d of found.differences) expect(d.message.length).toBeGreaterThan(20);
      const rules = (await lintRls(test.db, { schemas: [test.schema] })).map((f) => f.rule);
      for (const rule of drift.lint) expect(rules).toContain(rule);

      await execScript(test.db, found.sql);
      expect(await diff()).toEqual({ differences: [], sql: '' });
      // Re-runnable: applying the same fix again changes nothing.
      await execScript(test.db, found.sql);
      expect((await diff()).differences).toEqual([]);
    });

    it('SQL generated with separate permissive policies is drift from the combined model, and back', async () => {
      await execScript(
        test.db,
        generateRlsSql(appModel, {
          target,
          schema: test.schema,
          permissivePolicies: 'separate',
        }),
      );
      const found = await diff();
      expect(kinds(found).sort()).toEqual([
        'policy_changed meetings_select',
        'policy_changed organizations_select',
        'policy_changed user_org_memberships_select',
        'policy_extra meetings_select_shared_user',
        'policy_extra organizations_select_member',
        'policy_extra user_org_memberships_select_shared_user',
      ]);
      const separate = await diffRls(test.db, appModel, {
        target,
        schema: test.schema,
        permissivePolicies: 'separate',
      });
      expect(separate.differences).toEqual([]);
      // Generating the combined form again drops the separate policies it replaces.
      await execScript(test.db, generateRlsSql(appModel, { target, schema: test.schema }));
      expect((await diff()).differences).toEqual([]);
    });

    it('rejects bad options and models with invalid_input naming the key', async () => {
      const bad = [
        [{ target: 'mysql' }, 'target'],
        [{ schema: 'x"; DROP TABLE events; --' }, 'schema'],
        [{ role: '' }, 'role'],
        [{ colour: 'blue' }, 'colour'],
      ] as const;
      for (const [options, key] of bad) {
        await expect(
          diffRls(test.db, appModel, options as never),
          JSON.stringify(options),
        ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining(key) });
      }
      await expect(
        diffRls(test.db, { tables: {} } as never, { target, schema: test.schema }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
      // A schema the database does not have (even one named like an Object key) is a wrong flag.
      for (const schema of ['__proto__', `${test.schema}_gone`]) {
        await expect(diffRls(test.db, appModel, { target, schema })).rejects.toMatchObject({
          code: 'not_found',
          message: expect.stringContaining(`no schema "${schema}"`),
        });
      }
      expect((await diff()).differences).toEqual([]);
    });

    it('a missing request role is drift; a target whose claim functions are missing is refused', async () => {
      const missing = await diffRls(test.db, appModel, {
        target,
        schema: test.schema,
        role: `orgkit_no_such_role_${crypto.randomUUID().slice(0, 8)}`,
      });
      expect(missing.differences[0]?.kind).toBe('role_missing');
      if (target === 'supabase') {
        // Read with postgres's claim readers, every policy that reads a claim differs.
        const other = await diffRls(test.db, appModel, { target: 'postgres', schema: test.schema });
        expect(new Set(other.differences.map((d) => d.kind))).toEqual(
          new Set(['policy_changed', 'function_changed']),
        );
      } else if (database.name === 'pglite') {
        await expect(
          diffRls(test.db, appModel, { target: 'neon', schema: test.schema }),
        ).rejects.toMatchObject({ code: 'invalid_config', message: /auth\.session\(\)/ });
      }
    });
  });
});
