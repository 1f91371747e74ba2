import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/testing/seeded-random.js';
import { CLI_TARGETS, type CliTarget } from '../../support/cli.js';
import { cliArgs } from '../../support/cli-bin.js';
import { EMULATOR_KEYS } from '../run/emulator-keys.js';
import { setupMigrationEmulator, workosSnapshot } from '../run/support.js';
import {
  createEventsTable,
  databaseShape,
  EVENTS_APP_DATA,
  generateJsonExport,
} from './support.js';

const env = setupMigrationEmulator();
const USERS = 60;
let keyIndex = 0;

const lineCount = async (path: string) => {
  try {
    return (await readFile(path, 'utf8')).split('\n').length - 1;
  } catch {
    return 0;
  }
};

/**
 * Runs `orgkit migrate clerk` as its own process. With `kill`, SIGKILLs it `delayMs` after the
 * named log (the WorkOS one or the database one) has grown by `lines`, wherever it is then.
 */
function runMigrate(
  target: CliTarget,
  args: string[],
  kill?: { log: string; lines: number; delayMs: number; signal?: NodeJS.Signals },
): Promise<{ killed: boolean; status: number | null; stdout: string; stderr: string }> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: target.databaseUrl,
    WORKOS_API_KEY: EMULATOR_KEYS[keyIndex++ % EMULATOR_KEYS.length],
    WORKOS_CLIENT_ID: env.emulator.clientId,
    WORKOS_API_HOSTNAME: env.emulator.hostname,
    WORKOS_API_PORT: String(env.emulator.port),
    WORKOS_API_HTTPS: 'false',
  };
  if (!target.databaseUrl) delete childEnv.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs('migrate', 'clerk', ...args), {
      cwd: target.cwd,
      env: childEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    let timer: NodeJS.Timeout | undefined;
    if (kill) {
      void lineCount(kill.log).then((start) => {
        timer = setInterval(async () => {
          if ((await lineCount(kill.log)) >= start + kill.lines) {
            clearInterval(timer);
            setTimeout(() => child.kill(kill.signal ?? 'SIGKILL'), kill.delayMs);
          }
        }, 10);
      });
    }
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearInterval(timer);
      resolve({ killed: signal === 'SIGKILL', status, stdout, stderr });
    });
  });
}

async function prepare(target: CliTarget, ownerIds: string[]) {
  const opened = await target.open();
  try {
    await createEventsTable(opened.db, ownerIds);
  } finally {
    await opened.close();
  }
}

async function databaseState(target: CliTarget) {
  const opened = await target.open();
  try {
    return await databaseShape(opened.db);
  } finally {
    await opened.close();
  }
}

const MODES = ['personal', 'mapped', 'none'] as const;

describe.each(CLI_TARGETS.flatMap((target) => MODES.map((mode) => ({ ...target, mode }))))(
  'orgkit migrate clerk killed at random points on $name, --organizations $mode',
  ({ make, mode }) => {
    it('re-run after five SIGKILLs (two in the database step) ends where a clean run ends', async () => {
      const { json, expected } = generateJsonExport(USERS, 'user_kill', false);
      const owners = expected.filter((_, i) => i % 4 === 0).map((u) => u.clerkUserId);
      // A third of the users share two organizations; the others get a personal one or none.
      const mapping = expected
        .filter((_, i) => i % 3 === 0)
        .map(
          (u, i) => `${u.clerkUserId},${i % 2 ? 'acme' : 'globex'},${i % 2 ? 'Acme' : 'Globex'}`,
        );
      const setUp = async () => {
        const target = await make();
        await writeFile(join(target.cwd, 'users.json'), json);
        await writeFile(
          join(target.cwd, 'orgs.csv'),
          `clerk_user_id,org_external_id,org_name\n${mapping.join('\n')}\n`,
        );
        await writeFile(
          join(target.cwd, 'migrate.json'),
          JSON.stringify({
            appData: EVENTS_APP_DATA,
            ...(mode === 'none' ? {} : { organizations: 'orgs.csv' }),
          }),
        );
        await prepare(target, owners);
        return target;
      };
      const args = [
        '--input',
        'users.json',
        '--out',
        'run',
        '--config',
        'migrate.json',
        '--concurrency',
        '4',
        '--organizations',
        mode,
      ];

      const clean = await setUp();
      let cleanState: { workos: string[]; database: Awaited<ReturnType<typeof databaseShape>> };
      try {
        const run = await runMigrate(clean, args);
        expect(run.status, run.stderr).toBe(0);
        cleanState = {
          workos: await workosSnapshot(env.workos),
          database: await databaseState(clean),
        };
      } finally {
        await clean.close();
      }
      env.emulator.reset();

      const crashed = await setUp();
      try {
        const random = seededRandom(1207);
        const workosLog = join(crashed.cwd, 'run', 'migration-log.jsonl');
        const dbLog = join(crashed.cwd, 'run', 'migration-db-log.jsonl');
        // Three kills while WorkOS is written, then two once the database log grows (a batch's
        // intents are on disk and its users are being applied, or its done lines).
        const plan = [
          {
            log: workosLog,
            lines: 1 + Math.floor(random() * 60),
            delayMs: Math.floor(random() * 30),
          },
          {
            log: workosLog,
            lines: 1 + Math.floor(random() * 60),
            delayMs: Math.floor(random() * 30),
          },
          {
            log: workosLog,
            lines: 1 + Math.floor(random() * 60),
            delayMs: Math.floor(random() * 30),
          },
          { log: dbLog, lines: 1, delayMs: Math.floor(random() * 150) },
          { log: dbLog, lines: 1, delayMs: Math.floor(random() * 150) },
        ];
        let kills = 0;
        for (const kill of plan) {
          const end = await runMigrate(crashed, args, kill);
          expect({ killed: end.killed, stderr: end.killed ? '' : end.stderr }).toEqual({
            killed: true,
            stderr: '',
          });
          kills++;
        }
        expect(kills).toBe(5);
        expect(await lineCount(dbLog)).toBeGreaterThan(0);
        const finished = await runMigrate(crashed, [...args, '--json']);
        expect(finished.status, finished.stderr).toBe(0);
        expect(JSON.parse(finished.stdout)).toMatchObject({ ok: true, counts: { failed: 0 } });
        expect(await workosSnapshot(env.workos)).toEqual(cleanState.workos);
        expect(await databaseState(crashed)).toEqual(cleanState.database);
      } finally {
        await crashed.close();
      }
    }, 240_000);
  },
);

describe.each(CLI_TARGETS)('orgkit migrate clerk stopped by Ctrl-C on $name', ({ make }) => {
  it('exits 130 after the records in flight; a re-run finishes; --undo takes everything back', async () => {
    const target = await make();
    try {
      const { json } = generateJsonExport(24, 'user_sigint', false);
      await writeFile(join(target.cwd, 'users.json'), json);
      const args = ['--input', 'users.json', '--out', 'run', '--concurrency', '2', '--rate', '20'];
      const workosLog = join(target.cwd, 'run', 'migration-log.jsonl');
      const stopped = await runMigrate(target, args, {
        log: workosLog,
        lines: 6,
        delayMs: 0,
        signal: 'SIGINT',
      });
      expect(stopped.status, stopped.stderr).toBe(130);
      expect(stopped.stderr).toContain('stopping after the records in flight');
      expect(stopped.stdout).toContain('(interrupted)');
      const settled = (await readFile(workosLog, 'utf8')).match(/"t":"record"/g)?.length ?? 0;
      expect(settled).toBeGreaterThan(0);
      expect(settled).toBeLessThan(24);

      const finished = await runMigrate(target, [...args, '--rate', '1000', '--json']);
      expect(finished.status, finished.stderr).toBe(0);
      const summary = JSON.parse(finished.stdout);
      expect(summary.counts.alreadyMigrated).toBe(settled);
      expect(summary.counts.created + summary.counts.alreadyMigrated).toBe(24);
      expect(summary.database).toMatchObject({ applied: 24, failed: [] });
      expect(await (await env.workos.userManagement.listUsers()).autoPagination()).toHaveLength(24);

      const undone = await runMigrate(target, ['--input', 'users.json', '--out', 'run', '--undo']);
      expect(undone.status, undone.stderr).toBe(0);
      expect(undone.stdout).toContain('undo: database: 24 users restored; WorkOS deleted 24 users');
      expect(await (await env.workos.userManagement.listUsers()).autoPagination()).toEqual([]);
      expect((await databaseState(target)).users).toEqual([]);
    } finally {
      await target.close();
    }
  }, 120_000);
});
