import { and, eq, gt, sql } from 'drizzle-orm';
import type { RequestScope } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';

/** An emergency grant in force, as access events are matched against it. @internal */
export interface ActiveGrant {
  id: string;
  subjectId: string | null;
  resourceType: string | null;
  resourceId: string | null;
}

const MEMO_KEY = 'orgkit:access:grants';

/**
 * The user's grants in force by the database clock: looked up once per request (an index probe
 * on the grantee), since one request reads under the same grants throughout.
 * @internal
 */
export function activeGrants(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  userId: string,
  scope: RequestScope | undefined,
): Promise<ActiveGrant[]> {
  const key = `${MEMO_KEY}:${userId}`;
  const cached = scope?.memo.get(key) as Promise<ActiveGrant[]> | undefined;
  if (cached) return cached;
  const g = tables.emergencyAccess;
  const lookup = db
    .select({
      id: g.id,
      subjectId: g.subjectId,
      resourceType: g.resourceType,
      resourceId: g.resourceId,
    })
    .from(g)
    .where(and(eq(g.granteeWorkosUserId, userId), gt(g.expiresAt, sql`now()`)));
  const promise = Promise.resolve(lookup);
  if (scope) {
    scope.memo.set(key, promise);
    // A failed lookup is not remembered: the next read of the request tries again.
    promise.catch(() => scope.memo.delete(key));
  }
  return promise;
}

/** Forgets the request's grants (after `breakGlass` added one). @internal */
export function forgetActiveGrants(scope: RequestScope | undefined, userId: string): void {
  scope?.memo.delete(`${MEMO_KEY}:${userId}`);
}

/** The grants an access to `resourceIds` of `resourceType` about `subjectIds` falls under. @internal */
export function grantsCovering(
  grants: readonly ActiveGrant[],
  resourceType: string,
  resourceIds: readonly string[],
  subjectIds: readonly string[],
): string[] {
  return grants
    .filter((g) =>
      g.subjectId !== null
        ? subjectIds.includes(g.subjectId)
        : g.resourceType === resourceType &&
          g.resourceId !== null &&
          resourceIds.includes(g.resourceId),
    )
    .map((g) => g.id);
}
