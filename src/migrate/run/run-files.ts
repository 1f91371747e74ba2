import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';

/** Run files hold Clerk and WorkOS ids and, in the map, emails: owner-only. @internal */
export const RUN_FILE_MODE = 0o600;

/** The files of one run directory. @internal */
export interface RunPaths {
  readonly dir: string;
  readonly lock: string;
  readonly manifest: string;
  readonly log: string;
  readonly userMap: string;
}

/** @internal */
export function runPaths(dir: string): RunPaths {
  return {
    dir,
    lock: join(dir, 'migration.lock'),
    manifest: join(dir, 'migration-manifest.json'),
    log: join(dir, 'migration-log.jsonl'),
    userMap: join(dir, 'migration-user-map.json'),
  };
}

/** Creates the run directory, owner-only when it is new. @internal */
export async function ensureRunDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Flushes a directory entry (a new or renamed file) to disk. @internal */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a whole file so that a crash leaves the old version or the new one, never half: a
 * temporary file, fsync'ed, renamed over the target, and the directory fsync'ed. @internal
 */
export async function writeFileAtomically(dir: string, path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', RUN_FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDir(dir);
}
