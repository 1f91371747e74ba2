import { and, asc, eq, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { PERSONAL_EXTERNAL_ID_PREFIX } from './workos-steps.js';

/** What the mirror already knows of a guest; each id is null when it knows none. @internal */
export interface MirroredGuest {
  workosUserId: string;
  workosOrgId: string | null;
  workosMembershipId: string | null;
}

/**
 * The guest's user, personal organization and active membership as the mirror holds them, in one
 * query, so a guest that arrived by webhook or event sync costs no WorkOS look-up.
 * @internal
 */
export async function findInMirror(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  email: string,
): Promise<MirroredGuest | undefined> {
  const { users: u, organizations: o, userOrgMemberships: m } = tables;
  const [row] = await db
    .select({
      workosUserId: u.workosUserId,
      workosOrgId: o.workosOrgId,
      workosMembershipId: m.workosMembershipId,
    })
    .from(u)
    .leftJoin(o, eq(o.externalId, sql`${PERSONAL_EXTERNAL_ID_PREFIX} || ${u.workosUserId}`))
    .leftJoin(
      m,
      and(
        eq(m.workosUserId, u.workosUserId),
        eq(m.workosOrgId, o.workosOrgId),
        eq(m.status, 'active'),
      ),
    )
    .where(eq(u.email, email))
    // The most complete record first, should the mirror hold two users with this email.
    .orderBy(sql`${o.workosOrgId} is null`, sql`${m.workosMembershipId} is null`, asc(u.createdAt))
    .limit(1);
  return row;
}
