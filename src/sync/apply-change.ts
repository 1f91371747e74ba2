import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';
import type { MirrorChange } from './mirror-event.js';
import { deleteMembership, upsertMembership } from './mirror-memberships.js';
import { deleteOrganization, upsertOrganization } from './mirror-organizations.js';
import { deleteUser, upsertUser } from './mirror-users.js';
import type { ChangeOutcome } from './row-guard.js';

/** Writes one change to the mirror inside the caller's transaction. @internal */
export function applyChange(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  change: MirrorChange,
): Promise<ChangeOutcome> {
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
