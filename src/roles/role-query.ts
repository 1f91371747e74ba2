import { and, eq, getTableName, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import { perDatabase, statementName } from '../db/database-source.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';
import { revocationsFrom, type TokenRevocations } from './token-revocations.js';

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
  /** The user's token revocation marks; `undefined` when there are none (the usual case). */
  readonly revocations?: TokenRevocations | undefined;
}

// FNV-1a, 32 bits: a short stable name for a set of table names (no node:crypto on this path).
function nameHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/**
 * Reads a user's app role, active memberships and token revocation marks in one round trip: a
 * `UNION ALL` of the membership rows, the user row (its organization id is NULL) and the marks
 * (the only rows with a `revokedAt`), as a prepared statement.
 * @internal
 */
export function createRoleQuery(
  db: OrgkitDatabase,
  tables: OrgkitTables,
): (userId: string) => Promise<RoleRecord> {
  const { users, userOrgMemberships: m, tokenRevocations: r } = tables;
  const noMark = sql<number | null>`NULL::float8`;
  const userId = sql.placeholder('userId');
  // Memberships come first: drizzle decodes a union's rows with the first select's columns, and
  // `m.roles` parses a text[] whichever way the driver returns it.
  const source = db;
  const statement = perDatabase(db, (db) =>
    db
      .select({
        organizationId: m.workosOrgId,
        role: m.role,
        roles: m.roles,
        revokedAt: noMark,
      })
      .from(m)
      .where(and(eq(m.workosUserId, userId), eq(m.status, 'active')))
      .unionAll(
        db
          .select({
            organizationId: sql<string>`NULL::text`,
            role: users.role,
            roles: sql<string[]>`'{}'::text[]`,
            revokedAt: noMark,
          })
          .from(users)
          .where(eq(users.workosUserId, userId)),
      )
      .unionAll(
        db
          .select({
            organizationId: r.subject,
            role: r.kind,
            roles: sql<string[]>`'{}'::text[]`,
            revokedAt: sql<number | null>`(extract(epoch from ${r.revokedAt}) * 1000)::float8`,
          })
          .from(r)
          .where(eq(r.workosUserId, userId)),
      )
      // A name per table set: node-postgres keeps named statements per connection, and two
      // instances with renamed tables may share a pool. Hashed: Postgres cuts names at 63 bytes.
      .prepare(
        statementName(
          source,
          `orgkit_roles_${nameHash([users, m, r].map(getTableName).join('\u0000'))}`,
        ),
      ),
  );

  return async (id) => {
    let rows: {
      organizationId: string | null;
      role: string;
      roles: string[];
      revokedAt: number | null;
    }[];
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
    const marks: { kind: string; subject: string; revokedAt: number }[] = [];
    for (const row of rows) {
      if (row.revokedAt !== null) {
        marks.push({ kind: row.role, subject: row.organizationId ?? '', revokedAt: row.revokedAt });
      } else if (row.organizationId === null) appRole = row.role;
      else {
        const roles = row.roles.includes(row.role) ? row.roles : [row.role, ...row.roles];
        memberships.push({ organizationId: row.organizationId, roles });
      }
    }
    const revocations = revocationsFrom(marks);
    return revocations ? { appRole, memberships, revocations } : { appRole, memberships };
  };
}
