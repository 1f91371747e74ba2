import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { OrgkitError } from '../../errors/index.js';
import { RUN_FILE_MODE } from './run-files.js';

interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

/** A held run-directory lock. @internal */
export interface RunLock {
  release(): Promise<void>;
}

const errnoOf = (error: unknown) => (error as { code?: unknown } | null)?.code;

function isAlive(pid: number): boolean {
  // process.kill(0 or -1, …) would address a process group, not a process.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoOf(error) === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? (owner as LockOwner)
      : undefined;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    // Half-written by a process killed while creating it: nobody holds it.
    return { pid: -1, host: hostname(), token: '' };
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', RUN_FILE_MODE);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

function locked(path: string, owner: LockOwner): OrgkitError {
  return new OrgkitError(
    'conflict',
    `migration: another run (pid ${owner.pid} on ${owner.host}) holds ${path}; wait for it to finish, or remove the file if that process is gone`,
    { reason: 'run_locked', details: { pid: owner.pid, host: owner.host } },
  );
}

/**
 * Moves a dead holder's lock aside. The rename is atomic, so of two processes taking over the
 * same stale lock one moves it; if what was moved turns out to be a live lock created meanwhile,
 * it is linked back (link fails rather than overwrite) and the caller refuses.
 */
async function takeOver(path: string, stale: LockOwner): Promise<void> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw error;
  }
  const moved = await readOwner(aside);
  if (moved && moved.token !== stale.token) {
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    throw locked(path, moved);
  }
  await unlink(aside).catch(() => undefined);
}

/**
 * Takes the run directory's lock file, created exclusively. A lock whose process is gone (same
 * host, pid not running) is stale and taken over; a live one is refused with `conflict`
 * (`run_locked`). A lock from another host is never presumed dead. @internal
 */
export async function acquireRunLock(path: string): Promise<RunLock> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID() };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(path, owner)) {
      return {
        async release() {
          const current = await readOwner(path);
          if (current?.token === owner.token) await unlink(path).catch(() => undefined);
        },
      };
    }
    const holder = await readOwner(path);
    if (holder === undefined) continue;
    if (holder.host !== owner.host || isAlive(holder.pid)) throw locked(path, holder);
    await takeOver(path, holder);
  }
  throw new OrgkitError('conflict', `migration: could not take ${path}`, {
    reason: 'run_locked',
  });
}
