import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../../src/errors/index.js';
import { type MigrationRecordOutcome, runClerkMigration } from '../../../src/migrate/index.js';
import { SDK_REPORTS_REQUEST_IDS } from '../../support/workos-sdk.js';
import {
  FAST_RETRY,
  generateExport,
  preparedExport,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  workosSnapshot,
  writeExport,
} from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();

const prepare = async (count: number) => preparedExport(await newDir(), count);

const rejection = (error: unknown) =>
  isOrgkitError(error) ? { code: error.code, reason: error.reason } : error;

describe('runClerkMigration', () => {
  it('migrates every valid user once, with the right fields, a personal organization and an owner membership', async () => {
    const { input, outDir, expected, badRows } = await prepare(240);
    const client = recordingClient(env.emulator);
    const seen: MigrationRecordOutcome[] = [];
    const summary = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      retry: FAST_RETRY,
      concurrency: 8,
      onRecord: (o) => seen.push(o),
    });

    expect(summary.counts).toEqual({ created: 240, matched: 0, skipped: badRows, failed: 0 });
    expect(seen).toHaveLength(240 + badRows);
    expect(summary.problems.map((p) => p.status === 'skipped' && p.code).sort()).toEqual(
      ['duplicate_email', 'duplicate_id', 'invalid_email', 'missing_email'].sort(),
    );
    // Digests WorkOS cannot take are reported per user, never sent.
    const notImported = summary.warnings.filter((w) =>
      w.warnings.some((x) => x.code.startsWith('password_not_imported')),
    );
    expect(notImported.map((w) => w.clerkUserId)).toEqual(
      expected.filter((e) => e.passwordNotImported).map((e) => e.clerkUserId),
    );

    const users = await (await env.workos.userManagement.listUsers()).autoPagination();
    expect(users).toHaveLength(240);
    const byExternalId = new Map(users.map((u) => [u.externalId, u]));
    const createBodies = new Map(
      client
        .writes()
        .filter((r) => r.path === '/user_management/users')
        .map((r) => [r.body!.external_id as string, r.body!]),
    );
    const factorBodies = client.writes().filter((r) => r.path.endsWith('/auth_factors'));
    expect(factorBodies).toHaveLength(expected.filter((e) => e.totp).length);
    for (const body of factorBodies) {
      expect(body.body).toMatchObject({ type: 'totp', totp_secret: 'JBSWY3DPEHPK3PXPJBSWY3DP' });
    }
    const map = JSON.parse(await readFile(summary.userMapPath!, 'utf8')) as Record<
      string,
      string
    >[];
    expect(map).toHaveLength(240);
    for (const want of expected) {
      const user = byExternalId.get(want.clerkUserId)!;
      expect(user.email).toBe(want.email);
      expect(user.emailVerified).toBe(want.verified);
      expect(user.firstName ?? undefined).toBe(want.firstName);
      expect(user.lastName ?? undefined).toBe(want.lastName);
      const body = createBodies.get(want.clerkUserId)!;
      expect(body.password_hash).toBe(want.passwordHash);
      expect(body.password_hash_type).toBe(want.passwordHash ? 'bcrypt' : undefined);
      const org = await env.workos.organizations.getOrganizationByExternalId(`personal:${user.id}`);
      const name = [want.firstName, want.lastName].filter(Boolean).join(' ');
      expect(org.name).toBe(name ? `${name} (personal)` : 'Personal organization');
      const memberships = await env.workos.userManagement.listOrganizationMemberships({
        userId: user.id,
      });
      expect(memberships.data.map((m) => [m.organizationId, m.role?.slug])).toEqual([
        [org.id, 'owner'],
      ]);
      const factors = await env.workos.multiFactorAuth.listUserAuthFactors({ userId: user.id });
      expect(factors.data.map((f) => f.type)).toEqual(want.totp ? ['totp'] : []);
      expect(map.find((m) => m.clerkUserId === want.clerkUserId)).toEqual({
        clerkUserId: want.clerkUserId,
        workosUserId: user.id,
        organizationId: org.id,
        email: want.email,
      });
    }
    const organizations = await (
      await env.workos.organizations.listOrganizations()
    ).autoPagination();
    expect(organizations).toHaveLength(240);

    // Run files: owner-only; the log carries ids, never an email, name, digest or TOTP secret.
    for (const name of await readdir(outDir)) {
      expect({ name, mode: (await stat(join(outDir, name))).mode & 0o777 }).toEqual({
        name,
        mode: 0o600,
      });
    }
    const log = await readFile(join(outDir, 'migration-log.jsonl'), 'utf8');
    expect(log).not.toMatch(/@|JBSWY3DP|\$2b\$|digest-|First|Last/);
  }, 60_000);

  it('a second run matches or skips every record and writes nothing', async () => {
    const { input, outDir, badRows } = await prepare(60);
    const first = recordingClient(env.emulator);
    await runClerkMigration({ input, outDir, workos: first.workos, retry: FAST_RETRY });
    const before = await workosSnapshot(env.workos);

    const again = recordingClient(env.emulator);
    const summary = await runClerkMigration({ input, outDir, workos: again.workos });
    expect(summary.counts).toEqual({ created: 0, matched: 0, skipped: 60 + badRows, failed: 0 });
    expect(summary.problems.filter((p) => p.code === 'already_migrated')).toHaveLength(60);
    expect(again.writes()).toEqual([]);

    // A new run directory finds every user, organization, membership and factor and matches them.
    const fresh = recordingClient(env.emulator);
    const matched = await runClerkMigration({
      input,
      outDir: join(outDir, '..', 'other-run'),
      workos: fresh.workos,
    });
    expect(matched.counts).toEqual({ created: 0, matched: 60, skipped: badRows, failed: 0 });
    expect(fresh.writes()).toEqual([]);
    expect(await workosSnapshot(env.workos)).toEqual(before);
  }, 60_000);

  it('matches users that already exist by email or external id, and never duplicates them', async () => {
    const { input, outDir, expected } = await prepare(30);
    const byEmail = await env.workos.userManagement.createUser({ email: expected[4]!.email });
    const byExternalId = await env.workos.userManagement.createUser({
      email: 'renamed@example.com',
      externalId: expected[5]!.clerkUserId,
    });
    const client = recordingClient(env.emulator);
    const summary = await runClerkMigration({ input, outDir, workos: client.workos });
    expect(summary.counts).toMatchObject({ created: 28, matched: 2, failed: 0 });
    const users = await (await env.workos.userManagement.listUsers()).autoPagination();
    expect(users).toHaveLength(30);
    // Matched users are left as they are (no external id or verification imposed on them).
    expect(users.find((u) => u.id === byEmail.id)).toMatchObject({
      externalId: null,
      emailVerified: false,
    });
    for (const user of [byEmail, byExternalId]) {
      const org = await env.workos.organizations.getOrganizationByExternalId(`personal:${user.id}`);
      const memberships = await env.workos.userManagement.listOrganizationMemberships({
        userId: user.id,
      });
      expect(memberships.data.map((m) => m.organizationId)).toEqual([org.id]);
    }
  });

  it('completes with no duplicate when WorkOS answers 429 and 5xx and loses answers', async () => {
    const { input, outDir, dir } = await prepare(80);
    await runClerkMigration({
      input,
      outDir: join(dir, 'clean'),
      workos: recordingClient(env.emulator).workos,
    });
    const clean = await workosSnapshot(env.workos);
    env.emulator.reset();

    const client = recordingClient(env.emulator, {
      seed: 7,
      faults: [
        { fault: 'rate_limit', rate: 0.05, retryAfterSeconds: 0 },
        { fault: 'server_error', rate: 0.05 },
        // Applied by WorkOS, answer lost: the create must be looked up, not repeated.
        { fault: 'timeout', method: 'POST', rate: 0.08, timeoutMs: 20, deliver: true },
        { fault: 'connection_reset', method: 'POST', rate: 0.05, deliver: true },
        { fault: 'service_unavailable', method: 'POST', rate: 0.05, deliver: true },
      ],
    });
    // A shared limiter: every write attempt goes through run(), and a 429 closes its gate.
    const limiter = {
      runs: 0,
      closed: [] as number[],
      run<T>(fn: () => Promise<T>) {
        limiter.runs++;
        return fn();
      },
      gate: {
        remainingMs: () => 0,
        closeFor: (ms: number) => void limiter.closed.push(ms),
      },
    };
    const summary = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      retry: { ...FAST_RETRY, maxAttempts: 12 },
      limiter,
    });
    expect(limiter.runs).toBe(client.writes().length);
    expect(limiter.closed.length).toBe(client.faulty.faults.rate_limit);
    const injected = client.faulty.faults;
    expect(injected.rate_limit).toBeGreaterThan(0);
    expect(injected.timeout + injected.connection_reset).toBeGreaterThan(0);
    expect(summary.counts).toMatchObject({ created: 80, failed: 0 });
    expect(await workosSnapshot(env.workos)).toEqual(clean);
  }, 60_000);

  it('a record WorkOS keeps refusing fails with its request id, the rest goes on, and a re-run finishes it', async () => {
    const { input, outDir, expected } = await prepare(6);
    const victim = expected[2]!.clerkUserId;
    // Every organization create for one user answers 500, with WorkOS's request id.
    const refusing = (async (url: string | URL | Request, init?: RequestInit) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      const victimId = (
        await env.workos.userManagement.getUserByExternalId(victim).catch(() => undefined)
      )?.id;
      if (String(url).endsWith('/organizations') && victimId && body.includes(victimId)) {
        return new Response(JSON.stringify({ message: 'boom' }), {
          status: 500,
          headers: { 'content-type': 'application/json', 'x-request-id': 'req_test_500' },
        });
      }
      return globalThis.fetch(url, init);
    }) as typeof fetch;
    const client = recordingClient(env.emulator, { fetch: refusing });
    const summary = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      retry: { ...FAST_RETRY, maxAttempts: 3 },
    });
    expect(summary.counts).toMatchObject({ created: 5, failed: 1 });
    expect(summary.problems.find((p) => p.status === 'failed')).toMatchObject({
      recordNumber: 3,
      clerkUserId: victim,
      code: 'upstream_unavailable:server_error',
      // SDK 9 reads the header off a Headers object as if it were a plain one, and loses it.
      ...(SDK_REPORTS_REQUEST_IDS ? { workosRequestId: 'req_test_500' } : {}),
    });
    const log = await readFile(join(outDir, 'migration-log.jsonl'), 'utf8');
    if (SDK_REPORTS_REQUEST_IDS) expect(log).toContain('"requestId":"req_test_500"');

    const rerun = await runClerkMigration({
      input,
      outDir,
      workos: recordingClient(env.emulator).workos,
    });
    // The user was created by the first run: the record comes out created, not matched.
    expect(rerun.counts).toMatchObject({ created: 1, skipped: 5 + 4, failed: 0 });
    const user = await env.workos.userManagement.getUserByExternalId(victim);
    const memberships = await env.workos.userManagement.listOrganizationMemberships({
      userId: user.id,
    });
    expect(memberships.data.map((m) => m.role?.slug)).toEqual(['owner']);
  });

  it('organizations and roles from the mapping files, each organization created once', async () => {
    const { input, outDir, expected } = await prepare(12);
    const organizationMapping = expected.slice(0, 8).map((e, i) => ({
      recordNumber: i + 1,
      clerkUserId: e.clerkUserId,
      orgExternalId: i % 2 === 0 ? 'acme' : 'globex',
      orgName: i % 2 === 0 ? 'Acme' : 'Globex',
    }));
    const roleMapping = [
      { recordNumber: 1, clerkUserId: expected[0]!.clerkUserId, roleSlug: 'admin' },
    ];
    const client = recordingClient(env.emulator);
    const summary = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      organizationMapping,
      roleMapping,
      concurrency: 8,
    });
    expect(summary.counts).toMatchObject({ created: 12, failed: 0 });
    const organizations = await (
      await env.workos.organizations.listOrganizations()
    ).autoPagination();
    expect(
      organizations
        .filter((o) => !o.externalId?.startsWith('personal:'))
        .map((o) => o.externalId)
        .sort(),
    ).toEqual(['acme', 'globex']);
    expect(organizations).toHaveLength(2 + 4);
    const acme = organizations.find((o) => o.externalId === 'acme')!;
    const members = await env.workos.userManagement.listOrganizationMemberships({
      organizationId: acme.id,
    });
    const userOf = async (clerkUserId: string) =>
      (await env.workos.userManagement.getUserByExternalId(clerkUserId)).id;
    const roleOf = new Map(members.data.map((m) => [m.userId, m.role?.slug]));
    expect(roleOf.size).toBe(4);
    expect(roleOf.get(await userOf(expected[0]!.clerkUserId))).toBe('admin');
    expect(roleOf.get(await userOf(expected[2]!.clerkUserId))).toBe('member');
  });

  it('refuses a second run on a locked directory, and takes over a stale lock', async () => {
    const { input, outDir } = await prepare(5);
    await runClerkMigration({ input, outDir, workos: recordingClient(env.emulator).workos });
    const lock = join(outDir, 'migration.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: 'held' }));
    const error = await runClerkMigration({
      input,
      outDir,
      workos: recordingClient(env.emulator).workos,
    }).catch((e: unknown) => e);
    expect(rejection(error)).toEqual({ code: 'conflict', reason: 'run_locked' });

    // A lock left by a process that is gone is taken over.
    await writeFile(lock, JSON.stringify({ pid: 2 ** 30, host: hostname(), token: 'dead' }));
    const summary = await runClerkMigration({
      input,
      outDir,
      workos: recordingClient(env.emulator).workos,
    });
    expect(summary.counts.skipped).toBeGreaterThan(0);
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to resume against another input or another WorkOS environment', async () => {
    const { input, outDir, dir } = await prepare(5);
    await runClerkMigration({ input, outDir, workos: recordingClient(env.emulator).workos });
    const log = await readFile(join(outDir, 'migration-log.jsonl'), 'utf8');

    const other = await writeExport(dir, generateExport(6).csv, 'other.csv');
    const byInput = await runClerkMigration({
      input: other,
      outDir,
      workos: recordingClient(env.emulator).workos,
    }).catch((e: unknown) => e);
    expect(rejection(byInput)).toEqual({ code: 'conflict', reason: 'run_mismatch' });

    const elsewhere = env.emulator.createClient({ clientId: 'client_other', maxRetries: 0 });
    const byEnvironment = await runClerkMigration({ input, outDir, workos: elsewhere }).catch(
      (e: unknown) => e,
    );
    expect(rejection(byEnvironment)).toEqual({ code: 'conflict', reason: 'run_mismatch' });
    const byMapping = await runClerkMigration({
      input,
      outDir,
      workos: recordingClient(env.emulator).workos,
      roleMapping: [{ recordNumber: 1, clerkUserId: 'user_gen00000', roleSlug: 'admin' }],
    }).catch((e: unknown) => e);
    expect(rejection(byMapping)).toEqual({ code: 'conflict', reason: 'run_mismatch' });
    expect(await readFile(join(outDir, 'migration-log.jsonl'), 'utf8')).toBe(log);
  });

  it('rejects bad options with invalid_input before touching anything', async () => {
    const { input, outDir } = await prepare(4);
    const workos = recordingClient(env.emulator).workos;
    for (const bad of [
      { input, outDir, workos, concurrency: 0 },
      { input, outDir, workos, ownerRole: 'has space' },
      { input: '', outDir, workos },
      { input, outDir, workos: {} },
      { input, outDir, workos, surprise: true },
    ]) {
      const error = await runClerkMigration(bad as never).catch((e: unknown) => e);
      expect(rejection(error)).toMatchObject({ code: 'invalid_input' });
    }
    await expect(stat(outDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
