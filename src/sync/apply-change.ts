import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';
import type { MirrorChange } from './mirror-event.js';
import { deleteMembership, upsertMembership } from './mirror-memberships.js';
import { deleteOrganization, upsertOrganization } from './mirror-organizations.js';
import { deleteUser, upsertUser } from './mirror-users.js';
import { lockDeletedMemberships, lockMirrorObjects } from './object-locks.js';
import { marksOf, writeRevocationMarks } from './revocation-marks.js';
import type { ChangeOutcome } from './row-guard.js';

/**
 * Writes changes to the mirror, in order, inside the caller's transaction, after locking every
 * object they touch (see {@link lockMirrorObjects}) and the membership rows their deletes remove
 * (see {@link lockDeletedMemberships}). A transaction applying several changes
 * passes them all at once, so its locks are taken in the one order every writer uses; a caller
 * that has already locked a mirror row itself must lock the objects first.
 * @internal
 */
export async function applyChanges(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  changes: readonly MirrorChange[],
): Promise<ChangeOutcome[]> {
  await lockMirrorObjects(tx, changes);
  await lockDeletedMemberships(tx, tables, changes);
  const outcomes: ChangeOutcome[] = [];
  for (const change of changes) {
    const outcome = await writeChange(tx, tables, change);
    const revocations = marksOf(change, outcome);
    outcomes.push(revocations.length ? { ...outcome, revocations } : outcome);
  }
  // In the same transaction as the change: no instance reloads the new mirror without its marks.
  await writeRevocationMarks(
    tx,
    tables,
    outcomes.flatMap((o) => o.revocations ?? []),
  );
  return outcomes;
}

/** Writes one change to the mirror inside the caller's transaction, as {@link applyChanges}. @internal */
export async function applyChange(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  change: MirrorChange,
): Promise<ChangeOutcome> {
  const [outcome] = await applyChanges(tx, tables, [change]);
  return outcome!;
}

function writeChange(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  change: MirrorChange,
): Promise<ChangeOutcome> {
  // The mark itself is the whole change (see marksOf); its user's cached record is stale.
  if (change.kind === 'session') {
    return Promise.resolve({ applied: true, userIds: [change.data.userId] });
  }
  if (change.op === 'delete') {
    if (change.kind === 'user') return deleteUser(tx, tables, change.data);
    if (change.kind === 'organization') return deleteOrganization(tx, tables, change.data);
    return deleteMembership(tx, tables, change.data);
  }
  if (change.kind === 'user') return upsertUser(tx, tables, change.data);
  if (change.kind === 'organization') return upsertOrganization(tx, tables, change.data);
  return upsertMembership(tx, tables, change.data);
}

/**
 * Drops the cached roles of every changed user, after the commit so no reader caches the old
 * rows again. Every user is tried; one failure is reported once all were tried.
 * @internal
 */
export async function invalidateUsers(
  invalidateUser: (userId: string) => Promise<void>,
  userIds: Iterable<string>,
): Promise<void> {
  const results = await Promise.allSettled([...new Set(userIds)].map((id) => invalidateUser(id)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    throw new OrgkitError(
      'upstream_unavailable',
      'the mirror was updated but cached roles could not be invalidated',
      { cause: failed.reason, reason: 'cache_invalidation_failed' },
    );
  }
}

/** Wraps a database failure while applying events; the transaction has rolled back. @internal */
export function applyFailed(what: string, cause: unknown): OrgkitError {
  return new OrgkitError('internal', `${what}: writing the mirror failed; nothing was applied`, {
    cause,
  });
}
