import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRlsSql, type RlsTarget } from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { appModel, execScript, FIXTURE_DDL, prepare, rows } from './support.js';

/** Everything the generated SQL sets, for one schema. */
async function snapshot(test: TestDatabase) {
  const schema = test.schema;
  return {
    policies: await rows(
      test.db,
      sql`SELECT tablename, policyname, permissive, roles::text AS roles, cmd, qual, with_check
          FROM pg_policies WHERE schemaname = ${schema} ORDER BY tablename, policyname`,
    ),
    rls: await rows(
      test.db,
      sql`SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ${schema} AND c.relkind = 'r' ORDER BY c.relname`,
    ),
    grants: await rows(
      test.db,
      sql`SELECT c.relname, c.relacl::text AS acl FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'S') ORDER BY c.relname`,
    ),
    indexes: await rows(
      test.db,
      sql`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ${schema} ORDER BY indexname`,
    ),
    functions: await rows(
      test.db,
      sql`SELECT p.proname, p.prosrc, p.prosecdef, array_to_string(p.proconfig, ',') AS config, p.proacl::text AS acl
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = ${schema} AND p.proname LIKE 'orgkit_rls_%' ORDER BY p.proname`,
    ),
  };
}

describe.each(DATABASE_TARGETS)('generated SQL on $name', (database) => {
  describe.each<RlsTarget>(['postgres', 'neon', 'supabase'])('target %s', (target) => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await openTestDatabase(database, { plain: true });
    });
    afterAll(() => test?.close());

    it('applies twice without error, and the second time changes nothing', async () => {
      const text = await prepare(test, target);
      const first = await snapshot(test);
      await execScript(test.db, text);
      expect(await snapshot(test)).toEqual(first);

      // It did set something: every table forced, policies for the request role only.
      expect(first.rls.filter((t) => !(t.relrowsecurity && t.relforcerowsecurity))).toEqual([]);
      expect(first.policies.length).toBeGreaterThan(20);
      expect(new Set(first.policies.map((p) => p.roles))).toEqual(new Set(['{authenticated}']));
      expect(first.functions).toHaveLength(1);
      expect(first.functions[0]).toMatchObject({ prosecdef: true, config: 'search_path=""' });
      // A policy column without an index got one; one that had an index did not get a second.
      const names = first.indexes.map((i) => i.indexname);
      expect(names).toContain('events_workos_org_id_rls_idx');
      expect(names).toContain('meetings_guest_workos_user_id_rls_idx');
      expect(names).not.toContain('users_workos_user_id_rls_idx');
      expect(names).not.toContain('audit_logs_workos_org_id_rls_idx');
    });

    it('grants the request role only what its policies need', async () => {
      const grants = await rows<{ table_name: string; privilege_type: string }>(
        test.db,
        sql`SELECT table_name, privilege_type FROM information_schema.role_table_grants
            WHERE grantee = 'authenticated' AND table_schema = ${test.schema}
            ORDER BY table_name, privilege_type`,
      );
      const byTable: Record<string, string[]> = {};
      for (const g of grants)
        byTable[g.table_name] = [...(byTable[g.table_name] ?? []), g.privilege_type];
      expect(byTable).toEqual({
        audit_logs: ['INSERT', 'SELECT'],
        events: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
        expert_setup: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
        meetings: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
        organizations: ['SELECT'],
        orgkit_clerk_profiles: ['SELECT'],
        orgkit_emergency_access: ['SELECT'],
        payment_transfers: ['INSERT', 'SELECT'],
        profiles: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
        user_org_memberships: ['SELECT'],
        user_preferences: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
        users: ['SELECT'],
      });
    });
  });
});

/** `line` with every balanced `(select …)` removed. */
function withoutSubSelects(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (!line.startsWith('(select ', i)) {
      out += line[i];
      continue;
    }
    let depth = 0;
    for (; i < line.length; i++) {
      if (line[i] === '(') depth++;
      if (line[i] === ')' && --depth === 0) break;
    }
  }
  return out;
}

describe('generated SQL text', () => {
  it.each<RlsTarget>(['postgres', 'neon', 'supabase'])(
    '%s: claims wrapped, literals inlined, no auth.uid()',
    (target) => {
      const text = generateRlsSql(appModel, { target });
      expect(text).not.toMatch(/\$\d/);
      expect(text).not.toContain('auth.uid()');
      const policyLines = text.split('\n').filter((l) => /^\s+(USING|WITH CHECK)/.test(l));
      expect(policyLines.length).toBeGreaterThan(20);
      for (const line of policyLines) {
        // Every claim read sits inside a `(select …)`.
        const unwrapped = withoutSubSelects(line).match(
          /current_setting|auth\.(session|user_id|jwt)\(/,
        );
        expect({ line, unwrapped }).toEqual({ line, unwrapped: null });
      }
      expect(text).toContain(`? 'meetings:delete'`);
      expect(text).toContain('FORCE ROW LEVEL SECURITY');
    },
  );

  it('names the request role and schema it is given, quoted', () => {
    const text = generateRlsSql(appModel, {
      target: 'postgres',
      role: 'app_user',
      schema: 'tenant',
    });
    expect(text).toContain('TO "app_user"');
    expect(text).toContain('"tenant"."events"');
    expect(text).not.toContain('"authenticated"');
  });

  it('rejects bad options with invalid_input naming the key', () => {
    expect(() => generateRlsSql(appModel, { target: 'mysql' as RlsTarget })).toThrowError(
      expect.objectContaining({
        code: 'invalid_input',
        message: expect.stringContaining('target'),
      }),
    );
    expect(() => generateRlsSql(appModel, { target: 'postgres', role: 'x"; DROP' })).toThrowError(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('role') }),
    );
    expect(() => generateRlsSql({ tables: {} } as never, { target: 'postgres' })).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});

// Roles are per instance on PGlite, so creating `anon` here touches no other test.
describe('roles without a token (pglite)', () => {
  it('supabase: anon loses the grants Supabase gives it by default; postgres leaves it alone', async () => {
    for (const [target, expected] of [
      ['supabase', 0],
      ['postgres', Object.keys(appModel.tables).length],
    ] as const) {
      const test = await openTestDatabase({ url: undefined }, { plain: true });
      try {
        await execScript(test.db, 'CREATE ROLE anon NOLOGIN');
        await execScript(test.db, FIXTURE_DDL);
        await execScript(test.db, 'GRANT ALL ON ALL TABLES IN SCHEMA public TO anon');
        await prepare(test, target, { skipFixtures: true });
        const grants = await rows<{ n: number }>(
          test.db,
          sql`SELECT count(DISTINCT table_name)::int AS n FROM information_schema.role_table_grants
              WHERE grantee = 'anon' AND table_schema = 'public'`,
        );
        expect({ target, tables: grants[0]?.n }).toEqual({ target, tables: expected });
      } finally {
        await test.close();
      }
    }
  });
});
