import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../../src/errors/index.js';
import { runClerkMigration, undoClerkMigration } from '../../../src/migrate/index.js';
import {
  FAST_RETRY,
  generateExport,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  workosSnapshot,
  writeExport,
} from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();

const rejection = (error: unknown) =>
  isOrgkitError(error) ? { code: error.code, reason: error.reason } : error;

async function prepare(count: number) {
  const dir = await newDir();
  const generated = generateExport(count);
  const input = await writeExport(dir, generated.csv);
  return { ...generated, dir, input, outDir: join(dir, 'run') };
}

/** A user that exists before the run: matched, given an organization, membership and factor. */
const existingUser = (email: string) => env.workos.userManagement.createUser({ email });

describe('undoClerkMigration', () => {
  it('after a full run removes exactly what the run created; matched users stay', async () => {
    const { input, outDir, expected } = await prepare(40);
    await existingUser(expected[7]!.email);
    const unrelated = await env.workos.organizations.createOrganization({ name: 'Unrelated' });
    const before = await workosSnapshot(env.workos);

    const summary = await runClerkMigration({
      input,
      outDir,
      workos: recordingClient(env.emulator).workos,
      retry: FAST_RETRY,
    });
    expect(summary.counts).toMatchObject({ created: 39, matched: 1 });
    expect(await workosSnapshot(env.workos)).not.toEqual(before);

    const client = recordingClient(env.emulator);
    const undone = await undoClerkMigration({ outDir, workos: client.workos, input });
    expect(undone.failed).toEqual([]);
    expect(undone.deleted).toEqual({
      users: 39,
      organizations: 40,
      memberships: 40,
      factors: expected.filter((e) => e.totp).length,
    });
    expect(await workosSnapshot(env.workos)).toEqual(before);
    expect((await env.workos.organizations.getOrganization(unrelated.id)).id).toBe(unrelated.id);
    expect(JSON.parse(await readFile(join(outDir, 'migration-user-map.json'), 'utf8'))).toEqual([]);

    // Undone twice: nothing left to delete, nothing sent.
    const again = recordingClient(env.emulator);
    const second = await undoClerkMigration({ outDir, workos: again.workos });
    expect(second.deleted).toEqual({ users: 0, organizations: 0, memberships: 0, factors: 0 });
    expect(again.writes()).toEqual([]);

    // The directory can run again after an undo, and creates everything anew.
    const rerun = await runClerkMigration({ input, outDir, workos: client.workos });
    expect(rerun.counts).toMatchObject({ created: 39, matched: 1, failed: 0 });
  }, 60_000);

  it('after a partial run (stopped part-way, answers lost) leaves WorkOS as before', async () => {
    const { input, outDir } = await prepare(60);
    const before = await workosSnapshot(env.workos);
    const stop = new AbortController();
    let settled = 0;
    const client = recordingClient(env.emulator, {
      seed: 3,
      faults: [{ fault: 'timeout', method: 'POST', rate: 0.1, timeoutMs: 10, deliver: true }],
    });
    const partial = await runClerkMigration({
      input,
      outDir,
      workos: client.workos,
      retry: FAST_RETRY,
      concurrency: 4,
      signal: stop.signal,
      onRecord: () => {
        if (++settled === 20) stop.abort();
      },
    });
    expect(partial.interrupted).toBe(true);
    expect(partial.userMapPath).toBeUndefined();
    expect(partial.counts.created).toBeLessThan(60);

    const undone = await undoClerkMigration({
      outDir,
      workos: recordingClient(env.emulator).workos,
    });
    expect(undone.failed).toEqual([]);
    expect(await workosSnapshot(env.workos)).toEqual(before);
  }, 60_000);

  it('takes back a create the log shows in flight, found by look-up', async () => {
    const { input, outDir, expected } = await prepare(5);
    await runClerkMigration({ input, outDir, workos: recordingClient(env.emulator).workos });
    // A user created by a run that crashed after its intent line, before its done line.
    const stray = expected[0]!;
    await undoClerkMigration({ outDir, workos: recordingClient(env.emulator).workos });
    await env.workos.userManagement.createUser({
      email: stray.email,
      externalId: stray.clerkUserId,
    });
    await appendFile(
      join(outDir, 'migration-log.jsonl'),
      `${JSON.stringify({ t: 'intent', step: 'user', clerkUserId: stray.clerkUserId })}\n`,
    );
    const undone = await undoClerkMigration({
      outDir,
      workos: recordingClient(env.emulator).workos,
    });
    expect(undone.deleted.users).toBe(1);
    expect(await workosSnapshot(env.workos)).toEqual([]);
  });

  it('refuses another environment, another input, and a directory with no run', async () => {
    const { input, outDir, dir } = await prepare(4);
    await runClerkMigration({ input, outDir, workos: recordingClient(env.emulator).workos });
    const migrated = await workosSnapshot(env.workos);
    const elsewhere = env.emulator.createClient({ clientId: 'client_other', maxRetries: 0 });
    const byEnvironment = await undoClerkMigration({ outDir, workos: elsewhere }).catch(
      (e: unknown) => e,
    );
    expect(rejection(byEnvironment)).toEqual({ code: 'conflict', reason: 'run_mismatch' });
    const other = await writeExport(dir, generateExport(5).csv, 'other.csv');
    const byInput = await undoClerkMigration({
      outDir,
      input: other,
      workos: recordingClient(env.emulator).workos,
    }).catch((e: unknown) => e);
    expect(rejection(byInput)).toEqual({ code: 'conflict', reason: 'run_mismatch' });
    const none = await undoClerkMigration({
      outDir: join(dir, 'nothing'),
      workos: recordingClient(env.emulator).workos,
    }).catch((e: unknown) => e);
    expect(rejection(none)).toEqual({ code: 'not_found', reason: 'no_run' });
    expect(await workosSnapshot(env.workos)).toEqual(migrated);
  });
});
