import { createHash } from 'node:crypto';
import { asc, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { MirroredKind, OrgkitTables } from '../db/tables.js';
import type { MirrorChange } from './mirror-event.js';

// Mirror locks live in the two-integer advisory key space, which Postgres keeps apart from the
// single-bigint one (orgkit's migration lock, most apps' own locks); this first key ("omir")
// keeps them apart from other users of the two-integer space.
const MIRROR_LOCK_SPACE = 0x6f6d6972;

/** A WorkOS object a mirror change reads or writes. @internal */
export interface MirroredObject {
  kind: MirroredKind;
  id: string;
}

/**
 * The second key of an object's lock: 32 bits of a hash of kind and id, the same in every
 * process. Two objects that share a key only wait for each other.
 * @internal
 */
export function objectLockKey({ kind, id }: MirroredObject): number {
  return createHash('sha256').update(`${kind}\u0000${id}`, 'utf8').digest().readInt32BE(0);
}

/**
 * Every object whose state decides what `change` writes: a membership upsert also reads its
 * user's and organization's tombstones, and a user or organization delete removes their
 * memberships under the owner's own lock (a membership upsert holds that lock too).
 * @internal
 */
export function objectsOf(change: MirrorChange): MirroredObject[] {
  // A revocation mark is an upsert that only moves forward: it reads no mirror object.
  if (change.kind === 'session') return [];
  const own = { kind: change.kind, id: change.data.id };
  if (change.kind === 'membership' && change.op === 'upsert') {
    return [
      own,
      { kind: 'user', id: change.data.userId },
      { kind: 'organization', id: change.data.organizationId },
    ];
  }
  return [own];
}

/**
 * Takes the transaction-scoped advisory lock of every object the changes touch, in ascending key
 * order, before any of them is read or written. Two writers of one object (a delete and an older
 * upsert) then run one after the other, so the second sees the first's tombstone or row; and as
 * every transaction takes all its locks up front in one global order, an Events page and
 * concurrent webhooks cannot deadlock on them. Taking a lock the transaction holds is a no-op.
 * @internal
 */
export async function lockMirrorObjects(
  tx: OrgkitDatabase,
  changes: readonly MirrorChange[],
): Promise<void> {
  const keys = [...new Set(changes.flatMap(objectsOf).map(objectLockKey))].sort((a, b) => a - b);
  if (!keys.length) return;
  // One round trip: a subquery with ORDER BY is not flattened, so the aggregate calls the lock
  // function row by row in key order.
  await tx.execute(sql`
    SELECT count(pg_advisory_xact_lock(${MIRROR_LOCK_SPACE}::int, k))
    FROM (SELECT k FROM unnest(${`{${keys.join(',')}}`}::int[]) AS k ORDER BY k) AS ordered`);
}

/**
 * Row-locks, in membership-id order, every mirrored membership the changes' deletes may remove:
 * a user's or organization's memberships and the memberships deleted by id. Those rows are not
 * covered by one object lock (a membership row is removed under its user's, its organization's
 * or its own lock), so a page deleting two organizations and a webhook deleting a user in both
 * would otherwise lock the shared rows in crossing orders. Call after {@link lockMirrorObjects}:
 * holding the owners' locks, no new membership of theirs can appear from another writer.
 * @internal
 */
export async function lockDeletedMemberships(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  changes: readonly MirrorChange[],
): Promise<void> {
  const m = tables.userOrgMemberships;
  const column = {
    user: m.workosUserId,
    organization: m.workosOrgId,
    membership: m.workosMembershipId,
  };
  const deleted: Record<MirroredKind, string[]> = { user: [], organization: [], membership: [] };
  for (const change of changes)
    if (change.op === 'delete') deleted[change.kind].push(change.data.id);
  const conditions: SQL[] = (Object.keys(deleted) as MirroredKind[])
    .filter((kind) => deleted[kind].length > 0)
    .map((kind) => inArray(column[kind], deleted[kind]));
  if (!conditions.length) return;
  // ORDER BY is applied before the locks are taken, so rows are locked in membership-id order.
  await tx
    .select({ id: m.workosMembershipId })
    .from(m)
    .where(or(...conditions))
    .orderBy(asc(m.workosMembershipId))
    .for('update');
}
