import { and, eq, getTableName, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import { perDatabase, statementName } from '../db/database-source.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';

/** One active membership's roles. @internal */
export interface MembershipRoles {
  readonly organizationId: string;
  readonly roles: readonly string[];
}

/** What the database says about a user's roles; shared by every cache, so never mutated. @internal */
export interface RoleRecord {
  /** `users.role`, or `undefined` when the user has no row (yet). */
  readonly appRole: string | undefined;
  readonly memberships: readonly MembershipRoles[];
}

/**
 * Reads a user's app role and active memberships in one round trip: a `UNION ALL` of the
 * membership rows and the user row (its organization id is NULL), as a prepared statement.
 * @internal
 */
export function createRoleQuery(
  db: OrgkitDatabase,
  tables: OrgkitTables,
): (userId: string) => Promise<RoleRecord> {
  const { users, userOrgMemberships: m } = tables;
  const userId = sql.placeholder('userId');
  // Memberships come first: drizzle decodes a union's rows with the first select's columns, and
  // `m.roles` parses a text[] whichever way the driver returns it.
  const source = db;
  const statement = perDatabase(db, (db) =>
    db
      .select({ organizationId: m.workosOrgId, role: m.role, roles: m.roles })
      .from(m)
      .where(and(eq(m.workosUserId, userId), eq(m.status, 'active')))
      .unionAll(
        db
          .select({
            organizationId: sql<string>`NULL::text`,
            role: users.role,
            roles: sql<string[]>`'{}'::text[]`,
          })
          .from(users)
          .where(eq(users.workosUserId, userId)),
      )
      // A name per table set: node-postgres keeps named statements per connection, and two
      // instances with renamed tables may share a pool.
      .prepare(statementName(source, `orgkit_roles_${getTableName(users)}_${getTableName(m)}`)),
  );

  return async (id) => {
    let rows: { organizationId: string | null; role: string; roles: string[] }[];
    // Outside the try: no database at all is a configuration error, not an outage.
    const prepared = statement();
    try {
      rows = await prepared.execute({ userId: id });
    } catch (cause) {
      throw new OrgkitError(
        'upstream_unavailable',
        'roles: reading roles from the database failed',
        {
          cause,
        },
      );
    }
    let appRole: string | undefined;
    const memberships: MembershipRoles[] = [];
    for (const row of rows) {
      if (row.organizationId === null) appRole = row.role;
      else {
        const roles = row.roles.includes(row.role) ? row.roles : [row.role, ...row.roles];
        memberships.push({ organizationId: row.organizationId, roles });
      }
    }
    return { appRole, memberships };
  };
}
