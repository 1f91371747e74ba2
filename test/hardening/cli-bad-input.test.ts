import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandDefinition } from '../../src/cli/define-command.js';
import { openDatabase } from '../../src/cli/open-database.js';
import { runCommandLine } from '../../src/cli/program.js';
import { ORGKIT_COMMAND_LINE } from '../../src/cli/registry.js';
import { rowsOf } from '../../src/db/database.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import { ORGKIT_ERROR_CODES } from '../../src/errors/index.js';
import { runCli } from '../support/cli.js';
import { HARDENING_RUNS, hostileString, snapshotTables } from './support.js';

// Command-line arguments cannot hold a NUL: a real process never receives one.
const argument = hostileString.filter((value) => !value.includes('\u0000'));

// What a required flag gets when another flag is the one under test.
const FILLER: Readonly<Record<string, string>> = {
  org: 'org_a',
  format: 'jsonl',
  'retention-days': '3000',
  input: 'clerk-export.json',
  out: 'run-dir',
  target: 'postgres',
};

const COMMANDS = ORGKIT_COMMAND_LINE.commands;
const RUNS = Math.max(3, Math.ceil(HARDENING_RUNS / 5));
const DOCUMENTED = ORGKIT_ERROR_CODES.join('|');
const ERROR_LINE = new RegExp(`^orgkit: (${DOCUMENTED}): \\S`);
const STACK_LINE = /^\s+at \S/m;

function argsWith(definition: CommandDefinition, flag: string, value: string): string[] {
  const args: string[] = [...definition.path];
  for (const [name, spec] of Object.entries(definition.flags)) {
    if (name === flag) args.push(`--${name}`, value);
    else if (spec.required) args.push(`--${name}`, FILLER[name] ?? 'value-1');
  }
  return args;
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCommandLine(ORGKIT_COMMAND_LINE, argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { status, out: out.join('\n'), err: err.join('\n'), errLines: err };
}

function expectClearFailure(result: Awaited<ReturnType<typeof run>>, what: string) {
  if (result.status === 0) return; // a value that is valid where it landed
  expect([1, 2], what).toContain(result.status);
  expect(result.errLines[0] ?? '', `${what}: ${result.err.slice(0, 300)}`).toMatch(ERROR_LINE);
  expect(result.err, what).not.toMatch(STACK_LINE);
  // One line saying what, and for a usage error the help to read: never a dump.
  expect(result.errLines.length, what).toBeLessThanOrEqual(2);
  for (const line of result.errLines) expect(line, what).not.toContain('\n');
}

describe('every CLI command against bad flag values', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'orgkit-cli-hardening-'));
  const saved = { ...process.env };
  const home = process.cwd();

  beforeAll(async () => {
    process.chdir(cwd);
    // Nothing reaches a real server: no database or WorkOS from the environment, and a URL
    // the parser turns into a local connection goes to a closed port.
    for (const name of [
      'DATABASE_URL',
      'ORGKIT_AUDIT_CHECKPOINT_KEY',
      'WORKOS_API_KEY',
      'WORKOS_CLIENT_ID',
    ]) {
      delete process.env[name];
    }
    process.env.PGHOST = '127.0.0.1';
    process.env.PGPORT = '1';
    const migrated = await run(['db', 'migrate']);
    expect(migrated.status, migrated.err).toBe(0);
  });
  afterAll(() => {
    process.chdir(home);
    for (const name of ['PGHOST', 'PGPORT']) delete process.env[name];
    Object.assign(process.env, saved);
    rmSync(cwd, { recursive: true, force: true });
  });

  async function embeddedActions(): Promise<string[]> {
    const opened = await openDatabase(undefined, join(cwd, '.orgkit', 'pglite'));
    try {
      const result = await opened.db.execute(sql`SELECT DISTINCT action FROM audit_logs`);
      return rowsOf<{ action: string }>(result).map((r) => r.action);
    } finally {
      await opened.close();
    }
  }

  async function embeddedSnapshot() {
    const opened = await openDatabase(undefined, join(cwd, '.orgkit', 'pglite'));
    try {
      return await snapshotTables(opened.db as never, createOrgkitTables());
    } finally {
      await opened.close();
    }
  }

  it.each(COMMANDS.map((d) => [d.path.join(' '), d] as const))(
    '%s: a bad value for any flag exits 1 or 2 with one "orgkit: code: message" line, the database unchanged',
    async (name, definition) => {
      const before = await embeddedSnapshot();
      const valued = Object.entries(definition.flags)
        .filter(([, spec]) => spec.value)
        .map(([flag]) => flag);
      // A command without flags gets the bad value through a flag it does not take.
      const flags = valued.length > 0 ? valued : ['unknown-flag'];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...flags), argument, async (flag, value) => {
          const argv =
            flag === 'unknown-flag'
              ? [...definition.path, '--x', value]
              : argsWith(definition, flag, value);
          const result = await run(argv);
          const what = `${name} --${flag} ${value.length > 60 ? `string(${value.length})` : JSON.stringify(value)}`;
          if (flag === 'unknown-flag' || definition.flags[flag]?.choices) {
            expect(result.status, what).toBe(2);
          }
          // rls lint's and rls diff's exit 1 also means findings or drift (on stdout): the
          // embedded tables have no RLS.
          const findings =
            (name === 'rls lint' || name === 'rls diff') &&
            result.status === 1 &&
            result.err === '';
          if (findings) expect(result.out, what).not.toBe('');
          else expectClearFailure(result, what);
        }),
        { numRuns: RUNS },
      );
      if (name !== 'audit access-report') {
        expect(await embeddedSnapshot()).toEqual(before);
        return;
      }
      // A report that ran (an empty --url is the embedded database) records its read, by
      // design: that event, and nothing else, may have been added.
      const { audit_logs: _events, orgkit_audit_heads: _heads, ...rest } = await embeddedSnapshot();
      const { audit_logs: _e, orgkit_audit_heads: _h, ...restBefore } = before;
      expect(rest).toEqual(restBefore);
      expect((await embeddedActions()).filter((a) => a !== 'access.report_read')).toEqual([]);
    },
  );

  it('a real process answers hostile values with one clear line and no stack', async () => {
    const cases = [
      ['audit', 'purge', '--retention-days', "'; DROP TABLE audit_logs; --"],
      ['audit', 'export', '--org', 'org_a', '--format', 'jsonl', '--from', '\u202e{"__proto__":1}'],
      ['rls', 'generate', '--target', 'postgres', '--config', 'x'.repeat(5_000)],
    ];
    for (const args of cases) {
      const result = await runCli(cwd, args, { PGHOST: '127.0.0.1', PGPORT: '1' });
      const what = args.join(' ').slice(0, 120);
      expect([1, 2], `${what}: ${result.stderr}`).toContain(result.status);
      expect(result.stderr.split('\n')[0], what).toMatch(ERROR_LINE);
      expect(result.stderr, what).not.toMatch(STACK_LINE);
    }
  });
});
