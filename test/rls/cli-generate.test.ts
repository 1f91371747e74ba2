import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRlsModel, generateRlsSql } from '../../src/rls/index.js';
import { cliArgs } from '../support/cli-bin.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { execScript, FIXTURE_DDL, rows } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'orgkit-rls-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function orgkit(
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, cliArgs(...args), { cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const EVENTS_MODEL = {
  tables: { events: { kind: 'org', organizationColumn: 'workos_org_id' } },
};

describe('orgkit rls generate', () => {
  it('prints the SQL for orgkit’s own tables without --config', async () => {
    const run = await orgkit('rls', 'generate', '--target', 'supabase');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      `${generateRlsSql(defaultRlsModel(), { target: 'supabase' }).trimEnd()}\n`,
    );
  });

  it('reads a JSON model or a module’s default export, and writes --out', async () => {
    writeFileSync(join(dir, 'model.json'), JSON.stringify(EVENTS_MODEL));
    writeFileSync(join(dir, 'model.mjs'), `export default ${JSON.stringify(EVENTS_MODEL)}`);
    const fromJson = await orgkit(
      'rls',
      'generate',
      '--target',
      'neon',
      '--config',
      'model.json',
      '--out',
      'json.sql',
    );
    const fromModule = await orgkit(
      'rls',
      'generate',
      '--target',
      'neon',
      '--config',
      'model.mjs',
      '--out',
      'mjs.sql',
    );
    expect([fromJson.status, fromModule.status]).toEqual([0, 0]);
    expect(fromJson.stdout).toContain('wrote json.sql');
    const text = readFileSync(join(dir, 'json.sql'), 'utf8');
    expect(readFileSync(join(dir, 'mjs.sql'), 'utf8')).toBe(text);
    expect(text).toContain('CREATE POLICY "events_select" ON "public"."events"');
    expect(text).toContain(`(select (select auth.session()) ->> 'org_id')`);
    expect(text).not.toContain('"users"');
  });

  it('a bad model fails with invalid_config naming the key, and no stack', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ tables: { events: { kind: 'org' } } }));
    const run = await orgkit('rls', 'generate', '--target', 'postgres', '--config', 'bad.json');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('invalid_config');
    expect(run.stderr).toContain('tables.events.organizationColumn');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing or unknown --target is a usage error (exit 2)', async () => {
    expect((await orgkit('rls', 'generate')).status).toBe(2);
    expect((await orgkit('rls', 'generate', '--target', 'mysql')).status).toBe(2);
    expect((await orgkit('rls', 'generate', '--target', 'neon', '--url', 'x')).status).toBe(2);
  });

  it.each(DATABASE_TARGETS)('the printed SQL applies on $name with --schema', async (database) => {
    const test = await openTestDatabase(database, { plain: true });
    try {
      writeFileSync(join(dir, 'model.json'), JSON.stringify(EVENTS_MODEL));
      const run = await orgkit(
        'rls',
        'generate',
        '--target',
        'postgres',
        '--config',
        'model.json',
        '--schema',
        test.schema,
      );
      expect(run.status).toBe(0);
      await execScript(test.db, FIXTURE_DDL);
      await execScript(test.db, run.stdout);
      const policies = await rows(
        test.db,
        sql`SELECT policyname FROM pg_policies WHERE schemaname = ${test.schema} ORDER BY policyname`,
      );
      expect(policies.map((p) => p.policyname)).toEqual([
        'events_delete',
        'events_insert',
        'events_select',
        'events_update',
      ]);
    } finally {
      await test.close();
    }
  });
});
