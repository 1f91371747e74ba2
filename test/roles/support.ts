import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { RequestScopeStore } from '../../src/context/index.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import {
  type AccessControl,
  createRoles,
  type DefaultAccessControl,
  defaultAccessControl,
  type RolesApi,
  type RolesDeps,
} from '../../src/roles/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { openTestDatabase } from '../support/databases.js';

export const tables = createOrgkitTables();

/** The same database as `t.db`, through a drizzle instance that records every query it sends. */
export function countingDatabase(t: TestDatabase): { db: OrgkitDatabase; queries: string[] } {
  const queries: string[] = [];
  const logger = { logQuery: (query: string) => void queries.push(query) };
  const client = (t.db as unknown as { $client: never }).$client;
  const db =
    t.kind === 'pglite' ? drizzlePglite({ client, logger }) : drizzlePg({ client, logger });
  return { db, queries };
}

export interface RolesHarness<AC extends AccessControl> {
  t: TestDatabase;
  roles: RolesApi<AC>;
  scope: RequestScopeStore;
  /** SQL of every query the roles module sent. */
  queries: string[];
  close(): Promise<void>;
}

/** A private database and a roles instance over it, counting its queries. */
export async function openRoles<AC extends AccessControl = DefaultAccessControl>(
  target: { url: string | undefined },
  options: Partial<Pick<RolesDeps<AC>, 'accessControl' | 'cache' | 'redis'>> = {},
): Promise<RolesHarness<AC>> {
  const t = await openTestDatabase(target);
  const { db, queries } = countingDatabase(t);
  const scope = new RequestScopeStore();
  const roles = createRoles<AC>({
    db,
    tables,
    scope,
    accessControl: options.accessControl ?? (defaultAccessControl as unknown as AC),
    cache: options.cache ?? { ttlMs: 30_000, max: 1_000 },
    redis: options.redis,
  });
  return {
    t,
    roles,
    scope,
    queries,
    async close() {
      await roles.close();
      await t.close();
    },
  };
}

export async function insertUser(db: OrgkitDatabase, workosUserId: string, role = 'user') {
  await db
    .insert(tables.users)
    .values({ workosUserId, email: `${workosUserId}@example.com`, role });
}

let membershipCount = 0;
export async function insertMembership(
  db: OrgkitDatabase,
  workosUserId: string,
  workosOrgId: string,
  role: string,
  extra: { roles?: string[]; status?: 'active' | 'inactive' | 'pending' } = {},
) {
  await db.insert(tables.userOrgMemberships).values({
    workosMembershipId: `om_${++membershipCount}_${workosUserId}_${workosOrgId}`,
    workosUserId,
    workosOrgId,
    role,
    roles: extra.roles ?? [role],
    status: extra.status ?? 'active',
  });
}

export { JOB, sessionFor } from '../support/sessions.js';
