import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkOS } from '@workos-inc/node';
import { describe, expect, it } from 'vitest';
import { runClerkMigration } from '../../../src/migrate/index.js';
import { seededRandom } from '../../../src/testing/seeded-random.js';
import {
  generateExport,
  recordingClient,
  setupMigrationEmulator,
  tempDirs,
  workosSnapshot,
  writeExport,
} from './support.js';

const env = setupMigrationEmulator();
const newDir = tempDirs();
const WORKER = join(import.meta.dirname, 'fixtures', 'migrate-worker.ts');

interface WorkerEnd {
  killed: boolean;
  /** Records (or undone objects) it reported before it ended. */
  settled: number;
  summary?: unknown;
}

/**
 * Runs the worker as its own OS process; with `killAfter`, SIGKILLs it once it has settled that
 * many records plus `delayMs`, wherever it is then (between an intent and its create, mid-fsync…).
 */
function runWorker(
  vars: Record<string, string>,
  kill?: { after: number; delayMs: number },
): Promise<WorkerEnd> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: { ...process.env, ...vars },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let settled = 0;
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      settled = (out.match(/^record$/gm) ?? []).length;
      if (kill && !killed && settled >= kill.after) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
      }
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const summaryLine = out.split('\n').find((l) => l.startsWith('summary '));
      if (signal === 'SIGKILL') resolve({ killed: true, settled });
      else if (code === 0) {
        resolve({ killed: false, settled, summary: JSON.parse(summaryLine!.slice(8)) });
      } else reject(new Error(`worker exited with ${code}: ${err}`));
    });
  });
}

/** Two users that exist before the migration: matched, and left alone by undo. */
async function existingUsers(workos: WorkOS, emails: string[]) {
  for (const email of emails) await workos.userManagement.createUser({ email });
}

describe('a migration killed at random points', () => {
  it('re-run after five SIGKILLs ends where a clean run ends, and undo after a kill restores WorkOS', async () => {
    const dir = await newDir();
    const { csv, expected } = generateExport(48);
    const input = await writeExport(dir, csv);
    const preexisting = [expected[3]!.email, expected[10]!.email];

    await existingUsers(env.workos, preexisting);
    await runClerkMigration({
      input,
      outDir: join(dir, 'clean'),
      workos: recordingClient(env.emulator).workos,
    });
    const clean = await workosSnapshot(env.workos);
    env.emulator.reset();

    await existingUsers(env.workos, preexisting);
    const before = await workosSnapshot(env.workos);
    const vars = {
      EMULATOR_URL: env.emulator.url,
      EMULATOR_API_KEY: env.emulator.apiKey,
      INPUT: input,
      OUT_DIR: join(dir, 'crashed'),
    };
    const random = seededRandom(12);
    let kills = 0;
    // The records settled so far are reported again (as skipped) by each re-run, so a kill
    // point drawn from the whole input lands later and later in the work still to do.
    while (kills < 5) {
      const end = await runWorker(vars, {
        after: 1 + Math.floor(random() * 50),
        delayMs: Math.floor(random() * 25),
      });
      if (end.killed) kills++;
      else break;
    }
    expect(kills).toBe(5);
    const finished = await runWorker(vars);
    expect(finished.summary).toMatchObject({ failed: 0 });
    expect(await workosSnapshot(env.workos)).toEqual(clean);
    const map = JSON.parse(await readFile(join(dir, 'crashed', 'migration-user-map.json'), 'utf8'));
    expect(map).toHaveLength(48);

    // Undo, itself killed twice part-way, leaves WorkOS as it was before the run.
    for (let i = 0; i < 2; i++) {
      const end = await runWorker(
        { ...vars, MODE: 'undo' },
        { after: 1 + Math.floor(random() * 60), delayMs: Math.floor(random() * 10) },
      );
      expect(end.killed).toBe(true);
    }
    await runWorker({ ...vars, MODE: 'undo' });
    expect(await workosSnapshot(env.workos)).toEqual(before);
  }, 90_000);
});
