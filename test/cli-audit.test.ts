import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { OpenedDatabase } from '../src/cli/open-database.js';
import { createOrgkit } from '../src/create-orgkit.js';
import { CLI_TARGETS, type CliTarget, runCli } from './support/cli.js';

const KEY = 'a checkpoint key of at least 32 characters';

/** Runs the real CLI in `cwd`; DATABASE_URL only when `databaseUrl` is given. */
const orgkit = (
  options: { cwd: string; databaseUrl?: string | undefined; key?: boolean },
  ...args: string[]
) =>
  runCli(options.cwd, args, {
    DATABASE_URL: options.databaseUrl,
    ORGKIT_AUDIT_CHECKPOINT_KEY: options.key ? KEY : undefined,
  });

const NO_STACK = /\n\s+at /;

async function withDatabase<T>(target: CliTarget, fn: (db: OpenedDatabase['db']) => Promise<T>) {
  const opened = await target.open();
  try {
    return await fn(opened.db);
  } finally {
    await opened.close();
  }
}

// Changes rows the way an attacker with superuser rights would: triggers off, change, back on.
async function behindTheTriggers(
  db: OpenedDatabase['db'],
  ...statements: ReturnType<typeof sql>[]
) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`ALTER TABLE audit_logs DISABLE TRIGGER USER`);
    for (const statement of statements) await tx.execute(statement);
    await tx.execute(sql`ALTER TABLE audit_logs ENABLE TRIGGER USER`);
  });
}

const FORMULA = '=HYPERLINK("http://evil.example","click")';

describe.each(CLI_TARGETS)('orgkit audit on $name', ({ make }) => {
  it('verifies, checkpoints, exports and purges, and names what was tampered with', async () => {
    const target = await make();
    const cli = (options: { key?: boolean }, ...args: string[]) =>
      orgkit({ cwd: target.cwd, databaseUrl: target.databaseUrl, ...options }, ...args);
    try {
      const migrated = await cli({}, 'db', 'migrate');
      expect(migrated.status, migrated.stderr).toBe(0);

      const events = (org: string | null, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          action: 'record.viewed',
          resourceType: 'record',
          resourceId: `r${i + 1}`,
          actor: { system: 'cli-test' },
          organizationId: org,
        }));
      const written = await withDatabase(target, async (db) => {
        const orgkitInstance = createOrgkit({ database: db });
        return {
          good: await orgkitInstance.logAuditEvents([
            {
              ...events('org_good', 1)[0]!,
              resourceId: FORMULA,
              changes: { oldValues: { status: 'booked' }, newValues: { status: 'cancelled' } },
              metadata: { note: 'a, "quoted" note' },
            },
            ...events('org_good', 3),
          ]),
          tamper: await orgkitInstance.logAuditEvents(events('org_tamper', 3)),
          cut: await orgkitInstance.logAuditEvents(events('org_cut', 3)),
          purge: await orgkitInstance.logAuditEvents(events('org_purge', 5)),
          none: await orgkitInstance.logAuditEvents(events(null, 1)),
        };
      });

      // A good log: every chain named, exit 0; --json is the report, --org narrows it.
      const verified = await cli({}, 'audit', 'verify');
      expect(verified.status, verified.stderr).toBe(0);
      expect(verified.stdout).toContain('5 chain(s), 16 event(s) checked');
      expect(verified.stdout).toContain('ok      org_good: seq 1–4 (4 events)');
      expect(verified.stdout).toContain('ok      (no organization): seq 1–1 (1 event)');
      expect(verified.stdout).toContain('audit log intact');
      const asJson = await cli({}, 'audit', 'verify', '--org', 'none', '--json');
      expect(asJson.status, asJson.stderr).toBe(0);
      expect(JSON.parse(asJson.stdout)).toEqual({
        valid: true,
        eventsChecked: 1,
        chains: [
          {
            organizationId: null,
            events: 1,
            firstSeq: 1,
            lastSeq: 1,
            valid: true,
            problem: null,
          },
        ],
        firstProblem: null,
      });

      // A signed checkpoint, kept outside the database.
      const checkpointFile = join(target.cwd, 'checkpoint.json');
      const checkpointed = await cli({ key: true }, 'audit', 'checkpoint', '--out', checkpointFile);
      expect(checkpointed.status, checkpointed.stderr).toBe(0);
      expect(checkpointed.stdout).toContain('checkpoint of 5 chain(s) written');
      const checkpoint = JSON.parse(readFileSync(checkpointFile, 'utf8'));
      expect(checkpoint.mac).toMatch(/^[0-9a-f]{64}$/);
      expect(checkpoint.chains).toContainEqual({
        organizationId: 'org_cut',
        seq: 3,
        hash: written.cut[2]!.hash,
      });

      // Nothing was written since the checkpoint: an incremental check reads no event.
      const incremental = await cli(
        { key: true },
        'audit',
        'verify',
        '--checkpoint',
        checkpointFile,
        '--incremental',
        '--json',
      );
      expect(incremental.status, incremental.stderr).toBe(0);
      expect(JSON.parse(incremental.stdout)).toMatchObject({ valid: true, eventsChecked: 0 });

      // Exports: every event of the organization, oldest first, and nothing of another.
      const jsonl = await cli({}, 'audit', 'export', '--org', 'org_good', '--format', 'jsonl');
      expect(jsonl.status, jsonl.stderr).toBe(0);
      const exported = jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(exported.map((e) => [e.id, e.seq, e.organizationId, e.hash])).toEqual(
        written.good.map((e) => [e.id, e.seq, 'org_good', e.hash]),
      );
      expect(exported[0]).toMatchObject({
        resourceId: FORMULA,
        changes: { oldValues: { status: 'booked' }, newValues: { status: 'cancelled' } },
        metadata: { note: 'a, "quoted" note' },
        actor: { system: 'cli-test' },
      });
      const csvFile = join(target.cwd, 'good.csv');
      const csv = await cli(
        {},
        'audit',
        'export',
        '--org',
        'org_good',
        '--format',
        'csv',
        '--out',
        csvFile,
      );
      expect(csv.status, csv.stderr).toBe(0);
      expect(csv.stdout).toContain(`4 event(s) written to ${csvFile}`);
      const lines = readFileSync(csvFile, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe(
        'id,organization_id,seq,occurred_at,action,outcome,actor_user_id,actor_system,resource_type,resource_id,ip_address,user_agent,request_id,old_values,new_values,metadata,prev_hash,hash',
      );
      expect(lines.slice(1).map((line) => line.split(',').slice(0, 3))).toEqual(
        written.good.map((e) => [e.id, 'org_good', String(e.seq)]),
      );
      // The formula reaches the spreadsheet as text ('=…), never as =HYPERLINK(…).
      expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`);
      expect(lines[1]).not.toMatch(/,"?=HYPERLINK/);
      expect(lines[1]).toContain('"{""status"":""booked""}"');
      expect(lines[1]).toContain('"{""note"":""a, \\""quoted\\"" note""}"');

      // Purge: the backdated prefix of one chain goes, whole, and the rest still verifies.
      await withDatabase(target, (db) =>
        behindTheTriggers(
          db,
          sql`UPDATE audit_logs SET occurred_at = now() - interval '10 days'
              WHERE workos_org_id = 'org_purge' AND seq <= 3`,
        ),
      );
      const purged = await cli({}, 'audit', 'purge', '--retention-days', '1');
      expect(purged.status, purged.stderr).toBe(0);
      expect(purged.stdout).toContain('purged  org_purge: 3 event(s), through seq 3');
      expect(purged.stdout).toContain('3 event(s) purged from 1 chain(s)');

      // Tampering: one row changed, and one chain cut short with its head rewritten to match.
      await withDatabase(target, (db) =>
        behindTheTriggers(
          db,
          sql`UPDATE audit_logs SET target_id = 'someone-else' WHERE workos_org_id = 'org_tamper' AND seq = 2`,
          sql`DELETE FROM audit_logs WHERE workos_org_id = 'org_cut' AND seq = 3`,
          sql`UPDATE orgkit_audit_heads SET seq = 2, hash = ${written.cut[1]!.hash} WHERE chain = 'org_cut'`,
        ),
      );
      const broken = await cli({}, 'audit', 'verify');
      expect(broken.status).toBe(1);
      expect(broken.stdout).toContain(
        `BROKEN  org_tamper: hash_mismatch at seq 2 (id ${written.tamper[1]!.id})`,
      );
      expect(broken.stdout).toContain(`actual:   ${written.tamper[1]!.hash}`);
      expect(broken.stdout).toContain('ok      org_good: seq 1–4 (4 events)');
      expect(broken.stdout).toContain('ok      org_purge: seq 4–6 (3 events)'); // 4, 5 and audit.purged
      // Without the outside checkpoint, a chain cut short with a rewritten head looks whole...
      expect(broken.stdout).toContain('ok      org_cut: seq 1–2 (2 events)');
      expect(broken.stdout).toContain('audit log BROKEN');
      expect(broken.stderr).not.toMatch(NO_STACK);

      // ...the checkpoint kept outside the database catches it.
      const againstCheckpoint = await cli(
        { key: true },
        'audit',
        'verify',
        '--org',
        'org_cut',
        '--checkpoint',
        checkpointFile,
        '--json',
      );
      expect(againstCheckpoint.status).toBe(1);
      const cutReport = JSON.parse(againstCheckpoint.stdout);
      expect(cutReport.chains.map((c: { organizationId: string }) => c.organizationId)).toEqual([
        'org_cut',
      ]);
      expect(cutReport.firstProblem).toMatchObject({
        organizationId: 'org_cut',
        kind: 'checkpoint_mismatch',
        seq: 3,
        expected: 'seq 3',
        actual: 'seq 2',
      });
      // Incrementally too: the event the checkpoint recorded is gone.
      const cutIncremental = await cli(
        { key: true },
        'audit',
        'verify',
        '--org',
        'org_cut',
        '--checkpoint',
        checkpointFile,
        '--incremental',
        '--json',
      );
      expect(cutIncremental.status).toBe(1);
      expect(JSON.parse(cutIncremental.stdout).firstProblem).toMatchObject({
        organizationId: 'org_cut',
        kind: 'checkpoint_mismatch',
        seq: 3,
        actual: 'no event',
      });

      // No checkpoint of a broken log.
      const refusedFile = join(target.cwd, 'refused.json');
      const refused = await cli({}, 'audit', 'checkpoint', '--out', refusedFile);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('BROKEN  org_tamper: hash_mismatch at seq 2');
      expect(refused.stderr).toContain('refusing to write a checkpoint of a broken audit log');
      expect(existsSync(refusedFile)).toBe(false);
    } finally {
      await target.close();
    }
  }, 240_000); // ten CLI runs, each opening the database; slow on a loaded machine
});

describe('orgkit audit command line mistakes', () => {
  it('say what is wrong with exit code 2 (or 1 for a file problem), without a stack, before touching a database', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'orgkit-cli-'));
    onTestFinished(() => rmSync(cwd, { recursive: true, force: true }));
    const existing = join(cwd, 'existing.json');
    writeFileSync(existing, '{}');
    const cases: [string[], number, string][] = [
      [
        ['audit', 'export', '--org', 'org_a', '--format', 'xml'],
        2,
        "orgkit: invalid_input: option '--format <FORMAT>' argument 'xml' is invalid. Allowed choices are jsonl, csv.",
      ],
      [
        ['audit', 'export', '--format', 'csv'],
        2,
        "orgkit: invalid_input: required option '--org <ID>' not specified",
      ],
      [
        ['audit', 'export', '--org', 'org_a', '--format', 'csv', '--from', 'yesterday'],
        2,
        'orgkit: invalid_input: --from: "yesterday" is not an ISO 8601 date',
      ],
      [
        [
          'audit',
          'export',
          '--org',
          'org_a',
          '--format',
          'csv',
          '--from',
          '2025-02-01',
          '--to',
          '2025-01-01',
        ],
        2,
        'orgkit: invalid_input: --from: must be before --to',
      ],
      [
        ['audit', 'export', '--org', 'org_a', '--format', 'csv', '--to', '2025-02-30'],
        2,
        'orgkit: invalid_input: --to: "2025-02-30" is not an ISO 8601 date',
      ],
      [
        ['audit', 'purge'],
        2,
        "orgkit: invalid_input: required option '--retention-days <N>' not specified",
      ],
      [
        ['audit', 'purge', '--retention-days', '7y'],
        2,
        'orgkit: invalid_input: --retention-days: "7y" is not a whole number of days',
      ],
      [
        ['audit', 'verify', '--format', 'csv'],
        2,
        "orgkit: invalid_input: unknown option '--format'",
      ],
      [['audit', 'verify', '--nope'], 2, "orgkit: invalid_input: unknown option '--nope'"],
      [
        ['audit', 'verify', '--incremental'],
        2,
        'orgkit: invalid_input: --incremental: needs --checkpoint, the checkpoint to start from',
      ],
      [
        ['audit', 'verify', '--checkpoint', join(cwd, 'missing.json')],
        1,
        'orgkit: invalid_input: --checkpoint: cannot read',
      ],
      [
        ['audit', 'checkpoint', '--out', existing],
        1,
        `orgkit: conflict: --out: ${existing} already exists`,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => orgkit({ cwd }, ...args)));
    runs.forEach((run, i) => {
      const [args, status, message] = cases[i]!;
      expect({ args, status: run.status, stderr: run.stderr.split('\n')[0] }).toEqual({
        args,
        status,
        stderr: expect.stringContaining(message),
      });
      expect(run.stderr).not.toMatch(NO_STACK);
    });
    // Nothing was opened: no embedded database appeared in the working directory.
    expect(existsSync(join(cwd, '.orgkit'))).toBe(false);
  }, 60_000);
});
