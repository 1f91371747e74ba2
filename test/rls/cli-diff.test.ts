import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineRlsModel, generateRlsSql, type RlsDiff } from '../../src/rls/index.js';
import { CLI_TARGETS, type CliTarget, runCli } from '../support/cli.js';
import { execScript } from './support.js';

const MODEL = {
  tables: {
    events: { kind: 'org', organizationColumn: 'workos_org_id' },
    meetings: {
      kind: 'shared',
      organizationColumn: 'expert_org_id',
      sharedUserColumn: 'guest_workos_user_id',
    },
  },
};

/** Runs the real `orgkit rls diff` in the target's directory and schema. */
const rlsDiff = (target: CliTarget, ...args: string[]) =>
  runCli(
    target.cwd,
    ['rls', 'diff', '--config', 'model.json', '--schema', target.schema, ...args],
    { DATABASE_URL: target.databaseUrl },
  );

async function onDatabase(target: CliTarget, script: string): Promise<void> {
  const opened = await target.open();
  try {
    await execScript(opened.db, script.replaceAll('{s}', `"${target.schema}"`));
  } finally {
    await opened.close();
  }
}

describe.each(CLI_TARGETS)('orgkit rls diff on $name', ({ make }) => {
  it('exits 0 when the database matches, 1 on drift with each difference, and --sql mends it', async () => {
    const target = await make();
    try {
      writeFileSync(join(target.cwd, 'model.json'), JSON.stringify(MODEL));
      const model = defineRlsModel(MODEL as Parameters<typeof defineRlsModel>[0]);
      await onDatabase(
        target,
        `CREATE TABLE {s}.events (id text PRIMARY KEY, workos_org_id text NOT NULL);
         CREATE TABLE {s}.meetings (id text PRIMARY KEY, expert_org_id text NOT NULL, guest_workos_user_id text);
         ${generateRlsSql(model, { target: 'postgres', schema: target.schema })}`,
      );

      const equal = await rlsDiff(target, '--target', 'postgres');
      expect(equal.status, equal.stderr).toBe(0);
      expect(equal.stdout).toContain('row-level security matches the model');

      await onDatabase(
        target,
        `DROP POLICY events_update ON {s}.events;
         ALTER TABLE {s}.meetings NO FORCE ROW LEVEL SECURITY;
         CREATE POLICY open_read ON {s}.meetings FOR SELECT TO authenticated USING (true);`,
      );
      const human = await rlsDiff(target);
      expect(human.status, human.stderr).toBe(1);
      const lines = human.stdout.trimEnd().split('\n');
      expect(lines.slice(0, -1).map((line) => line.split(':')[0])).toEqual([
        'drift   policy_missing',
        'drift   rls_not_forced',
        'drift   policy_extra',
      ]);
      expect(lines.at(-1)).toContain('3 difference(s)');

      const asJson = await rlsDiff(target, '--json');
      expect(asJson.status).toBe(1);
      const parsed = JSON.parse(asJson.stdout) as RlsDiff;
      expect(parsed.differences.map((d) => d.kind)).toEqual([
        'policy_missing',
        'rls_not_forced',
        'policy_extra',
      ]);

      const fix = await rlsDiff(target, '--sql');
      expect(fix.status).toBe(1);
      expect(fix.stdout).toBe(`${parsed.sql.trimEnd()}\n`);
      expect(fix.stdout).toMatch(/^-- .*\nBEGIN;\n[\s\S]*\nCOMMIT;\n$/);
      await onDatabase(target, fix.stdout);
      const mended = await rlsDiff(target, '--sql');
      expect(mended.status, mended.stderr).toBe(0);
      expect(mended.stdout.trim()).toBe('-- orgkit rls diff: the database matches the model');

      expect((await rlsDiff(target, '--json', '--sql')).status).toBe(2);
      expect((await rlsDiff(target, '--target', 'mysql')).status).toBe(2);
    } finally {
      await target.close();
    }
  }, 180_000);
});
