import { readFile } from 'node:fs/promises';
import { isOrgkitError, parseInput } from '../../errors/index.js';
import { personalExternalId } from '../../guests/workos-steps.js';
import { type CallContext, callWorkOS, statusOf } from '../../workos-calls/call.js';
import { hashInputFile } from '../input/input-hash.js';
import { forEachConcurrently } from './concurrent.js';
import type { StepKind, StepRef } from './log-lines.js';
import { createLogState, type LogState, type ObjectState } from './log-state.js';
import type { MigrationLimiter } from './logged-step.js';
import { callContextOf, passThrough, undoOptionsSchema } from './options.js';
import { type RunPaths, runPaths, writeFileAtomically } from './run-files.js';
import { acquireRunLock } from './run-lock.js';
import { openRunLog, type RunLogWriter, readRunLog } from './run-log.js';
import { checkManifest, environmentOf, requireManifest } from './run-manifest.js';
import type { UndoClerkMigrationOptions, UndoSummary } from './types.js';
import type { MigrationUserMapEntry } from './user-map.js';
import {
  deleteFactor,
  type MigrationWorkOS,
  membershipOf,
  organizationByExternalId,
  requestIdOf,
  totpFactorOf,
  userByExternalId,
} from './workos-api.js';

const WHAT = 'undoClerkMigration';

/** Dependents first: factors and memberships, then organizations, then users. */
const UNDO_ORDER: readonly StepKind[] = ['factor', 'membership', 'organization', 'user'];

interface UndoDeps {
  call: CallContext;
  workos: MigrationWorkOS;
  state: LogState;
  log: RunLogWriter;
  limiter: MigrationLimiter;
}

const idOf = (state: LogState, ref: StepRef) => state.get(ref)?.done?.id;

/**
 * The object a create was announced for but never logged done: looked up as the run would
 * have made it. Undefined when the create never landed (or its parent is unknown).
 */
async function findAnnounced(deps: UndoDeps, ref: StepRef): Promise<string | undefined> {
  const { workos, state } = deps;
  const clerkUserId = ref.clerkUserId ?? '';
  const userId = idOf(state, { step: 'user', clerkUserId });
  const organizationId = () =>
    ref.org === undefined
      ? idOf(state, { step: 'organization', clerkUserId })
      : idOf(state, { step: 'organization', org: ref.org });
  const find = async () => {
    switch (ref.step) {
      case 'user':
        return userByExternalId(workos, clerkUserId);
      case 'organization':
        if (ref.org !== undefined) return organizationByExternalId(workos, ref.org);
        return userId ? organizationByExternalId(workos, personalExternalId(userId)) : undefined;
      case 'membership': {
        const orgId = organizationId();
        return userId && orgId ? membershipOf(workos, userId, orgId) : undefined;
      }
      case 'factor':
        return userId ? totpFactorOf(workos, userId) : undefined;
    }
  };
  return (await callWorkOS(deps.call, `${WHAT}: find ${ref.step}`, find))?.id;
}

function deleteCall(workos: MigrationWorkOS, kind: StepKind, id: string): Promise<unknown> {
  switch (kind) {
    case 'user':
      return workos.userManagement.deleteUser(id);
    case 'organization':
      return workos.organizations.deleteOrganization(id);
    case 'membership':
      return workos.userManagement.deleteOrganizationMembership(id);
    case 'factor':
      return deleteFactor(workos, id);
  }
}

/** Deletes one object the run created; true when it was there to delete. */
async function undoObject(deps: UndoDeps, object: ObjectState): Promise<boolean> {
  const { ref } = object;
  const id = object.done?.id ?? (await findAnnounced(deps, ref));
  const intent = { t: 'undo-intent', ...ref, ...(id ? { id } : {}) } as const;
  await deps.log.append(intent);
  deps.state.apply(intent);
  let deleted = false;
  if (id) {
    deleted = await callWorkOS(deps.call, `${WHAT}: delete ${ref.step}`, async () => {
      try {
        await deps.limiter.run(() => deleteCall(deps.workos, ref.step, id));
        return true;
      } catch (error) {
        // Already gone: deleted by an undo that crashed before logging it, or by hand.
        if (statusOf(error) === 404) return false;
        throw error;
      }
    });
  }
  const done = { t: 'undo-done', ...ref, ...(id ? { id } : {}) } as const;
  await deps.log.append(done);
  deps.state.apply(done);
  return deleted;
}

/** Drops map entries whose user the undo took back (the log no longer has their outcome). */
async function pruneUserMap(paths: RunPaths, state: LogState): Promise<void> {
  let entries: MigrationUserMapEntry[];
  try {
    entries = JSON.parse(await readFile(paths.userMap, 'utf8')) as MigrationUserMapEntry[];
  } catch {
    return;
  }
  const kept = entries.filter((e) => state.records.has(e.clerkUserId));
  await writeFileAtomically(paths.dir, paths.userMap, `${JSON.stringify(kept, null, 2)}\n`);
}

/** The objects to take back: created, or announced and never settled, newest first. */
const toUndo = (state: LogState, kind: StepKind) =>
  [...state.objects.values()]
    .filter((o) => o.ref.step === kind && (o.done ? o.done.created : o.intent || o.undoIntent))
    .sort((a, b) => b.order - a.order);

/**
 * Removes from WorkOS exactly what a {@link runClerkMigration} run created, per its log:
 * TOTP factors and memberships, then organizations, then users, newest first. Matched users,
 * organizations and memberships stay. A create the log shows in flight is looked up first and
 * removed if it landed. Every delete is logged before and after, so an interrupted undo is run
 * again to finish; objects already gone count as done.
 *
 * Refused (`conflict`) while a run holds the directory, or against another WorkOS environment
 * (or, when `input` is given, another export); `not_found` for a directory with no run.
 *
 * @example
 * ```ts
 * import { undoClerkMigration } from 'orgkit/migrate';
 *
 * const undone = await undoClerkMigration({ outDir: 'migration-run', workos });
 * console.log(undone.deleted); // { users: 1987, organizations: 1990, memberships: 1990, factors: 12 }
 * ```
 */
export async function undoClerkMigration(options: UndoClerkMigrationOptions): Promise<UndoSummary> {
  const o = parseInput(undoOptionsSchema, options, WHAT);
  const environment = environmentOf(o.workos, WHAT);
  const paths = runPaths(o.outDir);
  const manifest = await requireManifest(paths, o.outDir, WHAT);
  const inputHash = o.input === undefined ? undefined : await hashInputFile(o.input);
  checkManifest(manifest, { ...(inputHash ? { inputHash } : {}), environment }, WHAT);
  const lock = await acquireRunLock(paths.lock);
  try {
    const state = createLogState(await readRunLog(paths.log, true));
    const log = await openRunLog(paths.log);
    const deleted = { user: 0, organization: 0, membership: 0, factor: 0 };
    const failed: UndoSummary['failed'][number][] = [];
    try {
      const deps: UndoDeps = {
        call: callContextOf(o.retry, o.limiter),
        workos: o.workos as MigrationWorkOS,
        state,
        log,
        limiter: o.limiter ?? passThrough,
      };
      for (const kind of UNDO_ORDER) {
        await forEachConcurrently(toUndo(state, kind), o.concurrency, async (object) => {
          try {
            const wasThere = await undoObject(deps, object);
            if (wasThere) deleted[kind]++;
            o.onObject?.({
              kind,
              ...(object.ref.clerkUserId ? { clerkUserId: object.ref.clerkUserId } : {}),
              deleted: wasThere,
            });
          } catch (error) {
            if (!isOrgkitError(error) || error.code === 'invalid_config') throw error;
            const workosRequestId = requestIdOf(error);
            failed.push({
              kind,
              ...(object.ref.clerkUserId ? { clerkUserId: object.ref.clerkUserId } : {}),
              code: error.reason ? `${error.code}:${error.reason}` : error.code,
              reason: error.message,
              ...(workosRequestId ? { workosRequestId } : {}),
            });
          }
        });
      }
    } finally {
      await log.close();
    }
    await pruneUserMap(paths, state);
    return {
      deleted: {
        users: deleted.user,
        organizations: deleted.organization,
        memberships: deleted.membership,
        factors: deleted.factor,
      },
      failed,
    };
  } finally {
    await lock.release();
  }
}
