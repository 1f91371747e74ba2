import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../../src/errors/index.js';
import { migrateFromClerk } from '../../../src/migrate/index.js';
import { openTestDatabase } from '../../support/databases.js';
import {
  actionOfRequest,
  FAST_RETRY,
  generateExport,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  writeExport,
} from '../run/support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();
const USERS = 10;

async function prepare() {
  const dir = await newDir();
  const generated = generateExport(USERS, 'user_plan');
  const input = await writeExport(dir, generated.csv);
  // Six users in two shared organizations (one an admin), four with personal ones.
  const organizationMapping = generated.expected.slice(0, 6).map((e, i) => ({
    recordNumber: i + 1,
    clerkUserId: e.clerkUserId,
    orgExternalId: i % 2 ? 'acme' : 'globex',
    orgName: i % 2 ? 'Acme' : 'Globex',
  }));
  const roleMapping = [
    { recordNumber: 1, clerkUserId: generated.expected[1]!.clerkUserId, roleSlug: 'admin' },
  ];
  return {
    ...generated,
    dir,
    input,
    outDir: join(dir, 'run'),
    planPath: join(dir, 'plan.jsonl'),
    config: { organizationMapping, roleMapping },
  };
}

const readPlan = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Makes a plan of the prepared export with a dry run. */
const makePlan = (
  p: { input: string; outDir: string; planPath: string },
  extra: { planIncludePii?: boolean } = {},
) =>
  migrateFromClerk({
    input: p.input,
    outDir: p.outDir,
    workos: recordingClient(env.emulator).workos,
    plan: p.planPath,
    dryRun: true,
    ...extra,
  });

const counted = (values: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
};

describe('a reviewable plan: --plan, then --from-plan', () => {
  it('the plan lists every record with its actions and fields, mode 0600, no personal data; running it makes exactly its writes', async () => {
    const { input, outDir, planPath, config, expected, badRows } = await prepare();
    const database = await openTestDatabase({ url: undefined });
    try {
      const dry = recordingClient(env.emulator);
      const planned = await migrateFromClerk({
        input,
        outDir,
        workos: dry.workos,
        config,
        organizations: 'mapped',
        plan: planPath,
        dryRun: true,
      });
      expect(dry.writes()).toEqual([]);
      expect(planned.dryRun).toBe(true);
      expect((await stat(planPath)).mode & 0o777).toBe(0o600);
      const text = await readFile(planPath, 'utf8');
      for (const e of expected) {
        expect(text.toLowerCase()).not.toContain(e.email);
        if (e.lastName) expect(text).not.toContain(e.lastName);
      }
      const [header, ...records] = await readPlan(planPath);
      expect(header).toMatchObject({
        t: 'plan',
        organizations: 'mapped',
        includesPii: false,
        writes: planned.workos.writes,
      });
      expect(records).toHaveLength(USERS + badRows);
      expect(records.map((r) => r.n)).toEqual(records.map((_, i) => i + 1));
      expect(records.filter((r) => r.status === 'skip')).toHaveLength(badRows);
      expect(records[0]).toMatchObject({
        clerkUserId: expected[0]!.clerkUserId,
        status: 'create',
        fields: { id: 'workos,database', primary_email_address: 'workos,database' },
      });
      const planActions = records.flatMap((r) => r.actions as string[]);
      expect(planActions).toHaveLength(planned.workos.writes);
      // mapped: the four users the mapping leaves out get no organization.
      expect(planActions.filter((a) => a.startsWith('organization:'))).toHaveLength(2);

      const run = recordingClient(env.emulator);
      const done = await migrateFromClerk({
        input,
        outDir,
        workos: run.workos,
        database: database.db,
        config,
        fromPlan: planPath,
      });
      expect(done.workos.counts).toEqual({ created: USERS, matched: 0, skipped: 0, failed: 0 });
      expect(done.workos.organizations).toBe('mapped');
      expect(done.database?.applied).toBe(USERS);
      const orgs = await (await env.workos.organizations.listOrganizations()).autoPagination();
      const externalIds = new Map(orgs.map((o) => [o.id, o.externalId ?? '']));
      expect(counted(run.writes().map((w) => actionOfRequest(w, externalIds)))).toEqual(
        counted(planActions),
      );
    } finally {
      await database.close();
    }
  }, 60_000);

  it('with --plan-include-pii the plan names emails and names', async () => {
    const prepared = await prepare();
    const { planPath, expected } = prepared;
    await makePlan(prepared, { planIncludePii: true });
    const [header, first] = await readPlan(planPath);
    expect(header!.includesPii).toBe(true);
    expect(first!.pii).toMatchObject({ email: expected[0]!.email });
  });

  it('refuses a plan when the input or the WorkOS environment changed, writing nothing', async () => {
    const prepared = await prepare();
    const { input, outDir, planPath, dir } = prepared;
    await makePlan(prepared);
    const database = await openTestDatabase({ url: undefined });
    try {
      const changed = await writeExport(dir, `${await readFile(input, 'utf8')}\n`, 'changed.csv');
      const client = recordingClient(env.emulator);
      const refused = await migrateFromClerk({
        input: changed,
        outDir,
        workos: client.workos,
        database: database.db,
        fromPlan: planPath,
      }).catch((e: unknown) => e);
      expect(isOrgkitError(refused) && [refused.code, refused.reason]).toEqual([
        'conflict',
        'plan_mismatch',
      ]);
      expect((refused as Error).message).toContain('input file');
      const otherEnvironment = env.emulator.createClient({
        maxRetries: 0,
        clientId: 'client_other',
      });
      const refusedEnv = await migrateFromClerk({
        input,
        outDir,
        workos: otherEnvironment,
        database: database.db,
        fromPlan: planPath,
      }).catch((e: unknown) => e);
      expect((refusedEnv as Error).message).toContain('WorkOS environment');
      expect(client.writes()).toEqual([]);
      await expect(stat(outDir)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await database.close();
    }
  });

  it('a write the plan does not name fails its record with plan_mismatch and is never sent', async () => {
    const { input, outDir, planPath, expected } = await prepare();
    // The plan matches this user, which is then deleted: running it would need a create.
    const existing = await env.workos.userManagement.createUser({ email: expected[3]!.email });
    await makePlan({ input, outDir, planPath });
    await env.workos.userManagement.deleteUser(existing.id);
    const database = await openTestDatabase({ url: undefined });
    try {
      const run = recordingClient(env.emulator);
      const done = await migrateFromClerk({
        input,
        outDir,
        workos: run.workos,
        database: database.db,
        fromPlan: planPath,
      });
      expect(done.workos.counts).toMatchObject({ created: USERS - 1, failed: 1 });
      expect(done.workos.problems).toMatchObject([
        { clerkUserId: expected[3]!.clerkUserId, code: 'conflict:plan_mismatch' },
      ]);
      expect(
        run
          .writes()
          .filter(
            (w) =>
              w.body?.email === expected[3]!.email ||
              w.body?.external_id === expected[3]!.clerkUserId,
          ),
      ).toEqual([]);
    } finally {
      await database.close();
    }
  });
});

describe('--retry-failed', () => {
  it('runs again only the records the last run lists as failed', async () => {
    const { input, outDir, expected } = await prepare();
    const database = await openTestDatabase({ url: undefined });
    try {
      // The 2nd and 5th records' organization creates fail for good: both of their two attempts.
      const faulty = recordingClient(env.emulator, {
        faults: {
          fault: 'server_error',
          method: 'POST',
          path: '/organizations',
          calls: [2, 3, 6, 7],
        },
      });
      const first = await migrateFromClerk({
        input,
        outDir,
        workos: faulty.workos,
        database: database.db,
        retry: { ...FAST_RETRY, maxAttempts: 2 },
        concurrency: 1,
      });
      const failed = first.workos.problems.filter((p) => p.status === 'failed');
      expect(failed).toHaveLength(2);
      const errors = JSON.parse(await readFile(join(outDir, 'migration-errors.json'), 'utf8'));
      expect(errors.records.filter((r: { status: string }) => r.status === 'failed')).toHaveLength(
        2,
      );

      const retry = recordingClient(env.emulator);
      const seen: string[] = [];
      const again = await migrateFromClerk({
        input,
        outDir,
        workos: retry.workos,
        database: database.db,
        retryFailed: true,
        retry: FAST_RETRY,
        onRecord: (o) => seen.push(o.clerkUserId ?? ''),
      });
      expect(seen.sort()).toEqual(failed.map((f) => f.clerkUserId).sort());
      expect(again.workos.counts).toEqual({ created: 2, matched: 0, skipped: 0, failed: 0 });
      // Only the two records' organizations, memberships and (where Clerk had one) factors.
      const factors = failed.filter(
        (f) => expected.find((e) => e.clerkUserId === f.clerkUserId)!.totp,
      ).length;
      const paths = retry.writes().map((w) => w.path.replace(/users\/[^/]+\//, 'users/ID/'));
      expect(counted(paths)).toEqual({
        '/organizations': 2,
        '/user_management/organization_memberships': 2,
        ...(factors ? { '/user_management/users/ID/auth_factors': factors } : {}),
      });
      expect(again.database?.applied).toBe(2);
    } finally {
      await database.close();
    }
  });
});
