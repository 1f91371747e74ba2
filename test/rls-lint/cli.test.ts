import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { RlsLintFinding } from '../../src/rls/lint/index.js';
import { CLI_TARGETS, type CliTarget, runCli } from '../support/cli.js';
import { brief, ensureAuthenticatedRole } from './support.js';

/** Runs the real `orgkit rls lint` in `cwd`, DATABASE_URL only when given. */
const rlsLint = (cwd: string, databaseUrl: string | undefined, ...args: string[]) =>
  runCli(cwd, ['rls', 'lint', ...args], { DATABASE_URL: databaseUrl });

async function withDatabase(target: CliTarget, ...statements: string[]): Promise<void> {
  const opened = await target.open();
  try {
    await ensureAuthenticatedRole(opened.db);
    for (const statement of statements) await opened.db.execute(sql.raw(statement));
  } finally {
    await opened.close();
  }
}

describe.each(CLI_TARGETS)('orgkit rls lint on $name', ({ make }) => {
  it('prints the findings, as JSON or one line each, and exits 1 on errors and warnings, not on info', async () => {
    const target = await make();
    const { schema } = target;
    try {
      await withDatabase(
        target,
        'CREATE TABLE notes (id int, user_id text)',
        'ALTER TABLE notes ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE notes FORCE ROW LEVEL SECURITY',
        `CREATE POLICY notes_owner ON notes TO authenticated USING (user_id = current_setting('request.jwt.claims', true)::jsonb ->> 'sub')`,
        'CREATE TABLE secrets (id int)',
      );

      const asJson = await rlsLint(target.cwd, target.databaseUrl, '--json');
      expect(asJson.status, asJson.stderr).toBe(1);
      const findings = JSON.parse(asJson.stdout) as RlsLintFinding[];
      expect(brief(findings)).toEqual([
        { rule: 'rls_disabled', level: 'error', table: `${schema}.secrets` },
        {
          rule: 'auth_call_not_wrapped',
          level: 'warning',
          table: `${schema}.notes`,
          policy: 'notes_owner',
        },
        { rule: 'unindexed_policy_column', level: 'warning', table: `${schema}.notes` },
      ]);
      expect(findings.map((found) => found.cacheKey)).toEqual([
        `rls_disabled_${schema}.secrets`,
        `auth_call_not_wrapped_${schema}.notes_notes_owner`,
        `unindexed_policy_column_${schema}.notes_user_id`,
      ]);

      const human = await rlsLint(target.cwd, target.databaseUrl);
      expect(human.status, human.stderr).toBe(1);
      const lines = human.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(
        new RegExp(`^error {3}rls_disabled: ${schema}\\.secrets has row-level security off`),
      );
      expect(lines[1]).toContain(
        `warning auth_call_not_wrapped: policy notes_owner on ${schema}.notes calls current_setting('request.jwt.claims')`,
      );
      expect(lines[3]).toMatch(/: 1 error\(s\), 2 warning\(s\), 0 info$/);

      // Warnings alone still exit 1, until each is fixed or ignored on purpose; info exits 0.
      await withDatabase(
        target,
        'ALTER TABLE secrets ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE secrets FORCE ROW LEVEL SECURITY',
      );
      const warningsOnly = await rlsLint(target.cwd, target.databaseUrl, '--json');
      expect(warningsOnly.status, warningsOnly.stderr).toBe(1);
      expect(brief(JSON.parse(warningsOnly.stdout)).map((f) => `${f.level} ${f.rule}`)).toEqual([
        'warning auth_call_not_wrapped',
        'warning unindexed_policy_column',
        'info rls_enabled_no_policy',
      ]);
      const ignored = await rlsLint(
        target.cwd,
        target.databaseUrl,
        '--ignore',
        `auth_call_not_wrapped_${schema}.notes_notes_owner, unindexed_policy_column_${schema}.notes_user_id`,
      );
      expect(ignored.status, ignored.stderr).toBe(0);
      expect(ignored.stdout).toContain('rls_enabled_no_policy');
      expect(ignored.stdout).toMatch(
        /: 0 error\(s\), 0 warning\(s\), 1 info, row-level security looks right\n?$/,
      );
      const noRole = await rlsLint(target.cwd, target.databaseUrl, '--role', 'rls_lint_cli_nobody');
      expect(noRole.status, noRole.stderr).toBe(1);
      expect(noRole.stdout).toContain(
        'error   request_role_privileged: the request role rls_lint_cli_nobody does not exist',
      );
    } finally {
      await target.close();
    }
  }, 120_000); // six CLI processes, each opening the database
});
