import { eq } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../src/db/database.js';
import type { OrgkitTables } from '../../src/db/tables.js';
import { defaultAccessControl } from '../../src/roles/index.js';

export { JOB, rejection, sessionFor } from '../preferences/support.js';

/**
 * A real permission check until roles land: the user's app role from the users table, through
 * the default access model (org memberships are not consulted here).
 */
export function appRolePermissionCheck(db: OrgkitDatabase, tables: OrgkitTables) {
  return async (userId: string, permission: string): Promise<boolean> => {
    const [user] = await db
      .select({ role: tables.users.role })
      .from(tables.users)
      .where(eq(tables.users.workosUserId, userId));
    const role = user?.role ?? defaultAccessControl.defaultRole;
    return (defaultAccessControl.permissionsOf(role) as ReadonlySet<string>).has(permission);
  };
}
