import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/database.js';
import { CLI_TARGETS, type CliTarget, runCli } from '../../support/cli.js';
import { EMULATOR_KEYS } from '../run/emulator-keys.js';
import { setupMigrationEmulator } from '../run/support.js';
import { createEventsTable, EVENTS_APP_DATA, generateJsonExport } from './support.js';

const env = setupMigrationEmulator();
let keyIndex = 0;

/** The CLI's WorkOS environment: the emulator, a fresh API key per run (the emulator rate-limits each key). */
function workosVars() {
  return {
    WORKOS_API_KEY: EMULATOR_KEYS[keyIndex++ % EMULATOR_KEYS.length],
    WORKOS_CLIENT_ID: env.emulator.clientId,
    WORKOS_API_HOSTNAME: env.emulator.hostname,
    WORKOS_API_PORT: String(env.emulator.port),
    WORKOS_API_HTTPS: 'false',
  };
}

describe.each(CLI_TARGETS)('orgkit migrate on $name', ({ make }) => {
  let target: CliTarget;
  afterEach(async () => target?.close());

  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(target.cwd, args, { DATABASE_URL: target.databaseUrl, ...workosVars(), ...extra });

  async function withDatabase<T>(
    fn: (db: Awaited<ReturnType<CliTarget['open']>>['db']) => Promise<T>,
  ) {
    const opened = await target.open();
    try {
      return await fn(opened.db);
    } finally {
      await opened.close();
    }
  }

  it('migrates a JSON export into WorkOS and the database, rewrites the app table, and validates', async () => {
    target = await make();
    const { json, expected } = generateJsonExport(12, 'user_cli', false);
    const input = join(target.cwd, 'users.json');
    await writeFile(input, json);
    const config = join(target.cwd, 'migrate.json');
    await writeFile(
      config,
      JSON.stringify({ appData: EVENTS_APP_DATA, totpIssuer: 'Orgkit test' }),
    );
    const eventOwners = [expected[0]!, expected[0]!, expected[5]!].map((u) => u.clerkUserId);
    await withDatabase((db) => createEventsTable(db, eventOwners));

    const out = join(target.cwd, 'run');
    const run = await cli([
      'migrate',
      'clerk',
      '--input',
      input,
      '--out',
      out,
      '--config',
      config,
      '--rate',
      '500',
    ]);
    expect(run.stderr).not.toMatch(/invalid|error/i);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('12 created, 0 matched, 0 already migrated, 0 skipped, 0 failed');
    expect(run.stdout).toContain('database: 12 users applied');
    expect(run.stdout).toContain('app data: events: 3 rows rewritten, 0 with an unknown user id');
    for (const u of expected) expect(`${run.stdout}${run.stderr}`).not.toContain(u.email);
    expect(statSync(join(out, 'migration-db-log.jsonl')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'migration-errors.json')).mode & 0o777).toBe(0o600);

    const users = await (await env.workos.userManagement.listUsers()).autoPagination();
    expect(users.map((u) => u.externalId).sort()).toEqual(expected.map((u) => u.clerkUserId));
    const orgs = await (await env.workos.organizations.listOrganizations()).autoPagination();
    expect(orgs).toHaveLength(12);
    const map = JSON.parse(await readFile(join(out, 'migration-user-map.json'), 'utf8')) as {
      clerkUserId: string;
      workosUserId: string;
      organizationId: string;
    }[];
    for (const entry of map) {
      const memberships = await env.workos.userManagement.listOrganizationMemberships({
        userId: entry.workosUserId,
      });
      expect(memberships.data.map((m) => m.organizationId)).toEqual([entry.organizationId]);
    }
    const byClerk = new Map(map.map((e) => [e.clerkUserId, e]));

    await withDatabase(async (db) => {
      const rows = rowsOf<{ workos_user_id: string; role: string; steps: unknown; prefs: unknown }>(
        await db.execute(sql`
          SELECT u.workos_user_id, u.role, e.setup_status AS steps, p.preferences AS prefs
          FROM users u LEFT JOIN expert_setup e USING (workos_user_id)
          LEFT JOIN user_preferences p USING (workos_user_id)`),
      );
      expect(rows).toHaveLength(12);
      for (const u of expected) {
        const row = rows.find(
          (r) => r.workos_user_id === byClerk.get(u.clerkUserId)!.workosUserId,
        )!;
        expect(row.role).toBe(u.appRole);
        expect(row.prefs).toEqual(u.preferences);
        const steps = row.steps as Record<string, boolean> | null;
        if (u.steps)
          expect(
            Object.keys(steps!)
              .filter((k) => steps![k])
              .sort(),
          ).toEqual([...u.steps].sort());
        else expect(row.steps).toBeNull();
      }
      const events = rowsOf<{ clerk_user_id: string; org_id: string }>(
        await db.execute(sql`SELECT clerk_user_id, org_id FROM events ORDER BY id`),
      );
      expect(events).toEqual(
        eventOwners.map((c) => ({
          clerk_user_id: byClerk.get(c)!.workosUserId,
          org_id: byClerk.get(c)!.organizationId,
        })),
      );
    });

    const validate = await cli([
      'migrate',
      'validate',
      '--out',
      out,
      '--input',
      input,
      '--config',
      config,
    ]);
    expect(validate.stdout).toContain('Clerk migration validation: passed');
    expect(validate.status).toBe(0);

    // Run again: nothing left to do, said as JSON.
    const again = await cli([
      'migrate',
      'clerk',
      '--input',
      input,
      '--out',
      out,
      '--config',
      config,
      '--json',
    ]);
    expect(again.status).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({
      ok: true,
      counts: { created: 0, matched: 0, skipped: 0, failed: 0, alreadyMigrated: 12 },
      database: { applied: 0, alreadyApplied: 12, failed: [] },
    });
    expect(await (await env.workos.userManagement.listUsers()).autoPagination()).toHaveLength(12);

    // validate fails (exit 1) once a migrated user's row is gone.
    await withDatabase((db) =>
      db.execute(sql`DELETE FROM users WHERE workos_user_id = ${map[0]!.workosUserId}`),
    );
    const broken = await cli(['migrate', 'validate', '--out', out, '--json']);
    expect(broken.status).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false });
  }, 120_000);

  it('reports bad records by number and Clerk id only, exits 1, and writes the errors file', async () => {
    target = await make();
    const { json, expected, badRecords } = generateJsonExport(6, 'user_bad');
    const input = join(target.cwd, 'users.json');
    await writeFile(input, json);
    const out = join(target.cwd, 'run');
    const run = await cli(['migrate', 'clerk', '--input', input, '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('6 created, 0 matched, 0 already migrated, 4 skipped, 0 failed');
    for (const n of badRecords)
      expect(run.stdout).toMatch(new RegExp(`^record ${n}\\b.*skipped`, 'm'));
    const output = `${run.stdout}${run.stderr}`;
    for (const u of expected) expect(output.toLowerCase()).not.toContain(u.email);
    expect(output).not.toMatch(/[\w.]+@[\w.]+/);
    const errors = JSON.parse(await readFile(join(out, 'migration-errors.json'), 'utf8'));
    expect(errors.records.map((r: { recordNumber: number }) => r.recordNumber)).toEqual(badRecords);
  }, 60_000);

  it('exits 2 on usage and configuration mistakes, before writing anything', async () => {
    target = await make();
    const { json } = generateJsonExport(4, 'user_usage', false);
    const input = join(target.cwd, 'users.json');
    await writeFile(input, json);
    const out = join(target.cwd, 'run');
    const badConfig = join(target.cwd, 'bad.json');
    await writeFile(badConfig, JSON.stringify({ appData: { tables: [{ table: 'events' }] } }));
    const noTable = join(target.cwd, 'no-table.json');
    await writeFile(
      noTable,
      JSON.stringify({
        appData: { tables: [{ table: 'nope', clerkUserIdColumn: 'a', organizationIdColumn: 'b' }] },
      }),
    );
    const undefinedRole = join(target.cwd, 'role.json');
    await writeFile(undefinedRole, JSON.stringify({ ownerRole: 'proprietor' }));
    const typo = join(target.cwd, 'typo.json');
    await writeFile(typo, JSON.stringify({ ownerRol: 'owner' }));
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['migrate', 'clerk', '--input', input], {}, /--out/],
      [['migrate', 'clerk', '--input', input, '--out', out, '--rate', 'fast'], {}, /--rate/],
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--concurrency', '0'],
        {},
        /--concurrency/,
      ],
      [['migrate', 'clerk', '--input', join(target.cwd, 'nope.json'), '--out', out], {}, /--input/],
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--config', badConfig],
        {},
        /appData\.tables\.0/,
      ],
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--config', typo],
        {},
        /invalid_config/,
      ],
      // Checked against the database before anything is sent to WorkOS.
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--config', noTable],
        {},
        /tables\.0\.table: no table nope/,
      ],
      [['migrate', 'clerk', '--input', input, '--out', out, '--undo', '--dry-run'], {}, /--undo/],
      [
        ['migrate', 'clerk', '--input', input, '--out', out],
        { WORKOS_API_KEY: ' ' },
        /WORKOS_API_KEY/,
      ],
      [['migrate', 'validate'], {}, /--out/],
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--organizations', 'some'],
        {},
        /--organizations/,
      ],
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--plan-include-pii'],
        {},
        /--plan-include-pii goes with --plan/,
      ],
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--plan', 'p', '--retry-failed'],
        {},
        /do not go together/,
      ],
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--from-plan', input, '--dry-run'],
        {},
        /--from-plan runs a plan/,
      ],
      // WorkOS does not define this role: the run stops before any write, naming it.
      [
        ['migrate', 'clerk', '--input', input, '--out', out, '--config', undefinedRole],
        {},
        /no role proprietor.*--create-roles/,
      ],
    ];
    for (const [args, extra, message] of cases) {
      const run = await cli(args, extra);
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    expect(await (await env.workos.userManagement.listUsers()).autoPagination()).toEqual([]);
  }, 180_000);

  it('--dry-run writes nothing anywhere and says how long the rate limit makes it take', async () => {
    target = await make();
    const { json } = generateJsonExport(8, 'user_dry', false);
    const input = join(target.cwd, 'users.json');
    await writeFile(input, json);
    const out = join(target.cwd, 'run');
    const run = await cli([
      'migrate',
      'clerk',
      '--input',
      input,
      '--out',
      out,
      '--dry-run',
      '--rate',
      '2',
      '--json',
    ]);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({
      dryRun: true,
      counts: { created: 8, failed: 0 },
      writesPerSecond: 2,
    });
    expect(summary.workosWrites).toBeGreaterThanOrEqual(8 * 3);
    expect(summary.estimatedSeconds).toBe(Math.ceil(summary.workosWrites / 2));
    // With no organizations, the estimate drops the organization and membership writes.
    const none = await cli([
      'migrate',
      'clerk',
      '--input',
      input,
      '--out',
      out,
      '--dry-run',
      '--rate',
      '2',
      '--json',
      '--organizations',
      'none',
    ]);
    const noneSummary = JSON.parse(none.stdout);
    expect(noneSummary).toMatchObject({ organizations: 'none', counts: { created: 8 } });
    expect(noneSummary.workosWrites).toBe(summary.workosWrites - 8 * 2);
    expect(noneSummary.estimatedSeconds).toBe(Math.ceil(noneSummary.workosWrites / 2));
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(target.cwd, '.orgkit'))).toBe(false);
    if (target.databaseUrl) {
      await withDatabase(async (db) => {
        const tables = rowsOf(
          await db.execute(sql`SELECT 1 FROM pg_tables WHERE schemaname = ${target.schema}`),
        );
        expect(tables).toEqual([]);
      });
    }
    expect(await (await env.workos.userManagement.listUsers()).autoPagination()).toEqual([]);
  }, 60_000);
});
