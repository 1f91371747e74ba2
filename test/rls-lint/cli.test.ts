import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type OpenedDatabase, openDatabase } from '../../src/cli/open-database.js';
import type { RlsLintFinding } from '../../src/rls/lint/index.js';
import { brief, ensureAuthenticatedRole } from './support.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'src', 'cli', 'bin.ts');
const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the real `orgkit rls lint` in `cwd`, DATABASE_URL only when given. */
function rlsLint(cwd: string, databaseUrl: string | undefined, ...args: string[]) {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const child = spawn(process.execPath, ['--import', tsx, bin, 'rls', 'lint', ...args], {
    cwd,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    },
  );
}

interface Target {
  cwd: string;
  databaseUrl: string | undefined;
  /** The schema the CLI lints: the first on its search path. */
  schema: string;
  open(): Promise<OpenedDatabase>;
  close(): Promise<void>;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orgkit-rls-lint-'));
  dirs.push(dir);
  return dir;
}

async function pgliteTarget(): Promise<Target> {
  const cwd = tempDir();
  const open = () => openDatabase(undefined, join(cwd, '.orgkit', 'pglite'));
  return { cwd, databaseUrl: undefined, schema: 'public', open, close: async () => {} };
}

// A private schema, reached by the command's own pool through the URL's `options` parameter.
async function postgresTarget(serverUrl: string): Promise<Target> {
  const schema = `rls_lint_cli_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    cwd: tempDir(),
    databaseUrl: url.toString(),
    schema,
    open: () => openDatabase(url.toString()),
    close: async () => {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

async function withDatabase(target: Target, ...statements: string[]): Promise<void> {
  const opened = await target.open();
  try {
    await ensureAuthenticatedRole(opened.db);
    for (const statement of statements) await opened.db.execute(sql.raw(statement));
  } finally {
    await opened.close();
  }
}

const TARGETS = [
  { name: 'pglite', make: pgliteTarget },
  ...(process.env.DATABASE_URL
    ? [{ name: 'postgres', make: () => postgresTarget(process.env.DATABASE_URL!) }]
    : []),
];

describe.each(TARGETS)('orgkit rls lint on $name', ({ make }) => {
  it('prints the findings, as JSON or one line each, and exits 1 only on errors', async () => {
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
      expect(lines[3]).toMatch(/: 1 error\(s\), 2 warning\(s\)$/);

      // Warnings alone exit 0; a role that does not exist is an error again.
      await withDatabase(
        target,
        'ALTER TABLE secrets ENABLE ROW LEVEL SECURITY',
        'ALTER TABLE secrets FORCE ROW LEVEL SECURITY',
      );
      const warningsOnly = await rlsLint(target.cwd, target.databaseUrl, '--json');
      expect(warningsOnly.status, warningsOnly.stderr).toBe(0);
      expect(brief(JSON.parse(warningsOnly.stdout)).map((found) => found.rule)).toEqual([
        'auth_call_not_wrapped',
        'rls_enabled_no_policy',
        'unindexed_policy_column',
      ]);
      const noRole = await rlsLint(target.cwd, target.databaseUrl, '--role', 'rls_lint_cli_nobody');
      expect(noRole.status, noRole.stderr).toBe(1);
      expect(noRole.stdout).toContain(
        'error   request_role_privileged: the request role rls_lint_cli_nobody does not exist',
      );
    } finally {
      await target.close();
    }
  });
});
