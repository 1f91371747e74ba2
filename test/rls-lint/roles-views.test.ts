import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS } from '../support/databases.js';
import { brief, withLintFixture } from './support.js';

describe.each(DATABASE_TARGETS)('lintRls request role and views on $name', ({ url }) => {
  it('reports a request role that is missing, a superuser, or has BYPASSRLS', async () => {
    await withLintFixture(url, async ({ run, lint, createRole }) => {
      const missing = `rls_lint_nobody_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const superuser = await createRole('SUPERUSER');
      const bypass = await createRole('BYPASSRLS');
      const check = async (role: string) => {
        const findings = await lint({ role });
        return findings.map(({ rule, level, role, table, cacheKey }) => ({
          rule,
          level,
          role,
          table,
          cacheKey,
        }));
      };
      expect(await check(missing)).toEqual([
        {
          rule: 'request_role_privileged',
          level: 'error',
          role: missing,
          table: undefined,
          cacheKey: `request_role_privileged_${missing}_missing`,
        },
      ]);
      expect(await check(superuser)).toEqual([
        {
          rule: 'request_role_privileged',
          level: 'error',
          role: superuser,
          table: undefined,
          cacheKey: `request_role_privileged_${superuser}_superuser`,
        },
      ]);
      expect(await check(bypass)).toEqual([
        {
          rule: 'request_role_privileged',
          level: 'error',
          role: bypass,
          table: undefined,
          cacheKey: `request_role_privileged_${bypass}_bypassrls`,
        },
      ]);
      // The suggested ALTER ROLE clears each.
      for (const role of [superuser, bypass]) {
        for (const found of await lint({ role })) await run(found.fix!);
        expect(await lint({ role })).toEqual([]);
      }
    });
  });

  it('reports a request role that owns a table, directly or through membership', async () => {
    await withLintFixture(url, async ({ run, lint, schema, createRole }) => {
      const owner = await createRole();
      const member = await createRole();
      await run(
        'CREATE TABLE {s}.owned (id int)',
        'ALTER TABLE {s}.owned ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE {s}.owned FORCE ROW LEVEL SECURITY',
        `ALTER TABLE {s}.owned OWNER TO ${owner}`,
        `GRANT ${owner} TO ${member}`,
      );
      const owned = `${schema}.owned`;
      for (const role of [owner, member]) {
        const findings = await lint({ role });
        expect(brief(findings)).toEqual([
          { rule: 'request_role_privileged', level: 'error', table: owned },
          { rule: 'rls_enabled_no_policy', level: 'info', table: owned },
        ]);
        expect(findings[0]!.message).toContain(`the request role ${role} owns ${owned}`);
      }
      expect(brief(await lint())).toEqual([
        { rule: 'rls_enabled_no_policy', level: 'info', table: owned },
      ]);
    });
  });

  it('reports views without security_invoker: an error when the request role can read them', async () => {
    await withLintFixture(url, async ({ run, lint, schema }) => {
      await run(
        'CREATE VIEW {s}.v_open AS SELECT 1 AS x',
        'GRANT SELECT ON {s}.v_open TO authenticated',
        'CREATE VIEW {s}.v_hidden AS SELECT 1 AS x',
        'CREATE VIEW {s}.v_invoker WITH (security_invoker = on) AS SELECT 1 AS x',
        'GRANT SELECT ON {s}.v_invoker TO authenticated',
      );
      const findings = await lint();
      expect(brief(findings)).toEqual([
        { rule: 'view_without_security_invoker', level: 'error', table: `${schema}.v_open` },
        { rule: 'view_without_security_invoker', level: 'warning', table: `${schema}.v_hidden` },
      ]);
      for (const found of findings) await run(found.fix!);
      expect(await lint()).toEqual([]);
    });
  });
});
