import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/database.js';
import type { Orgkit, OrgkitConfig, UserActionOptions } from '../../src/index.js';
import { createOrgkit, isOrgkitError } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';

type AnyOrgkit = Orgkit;

/** One public function taking a user id, called with the arguments it needs besides the id. */
export interface UserAction {
  name: string;
  call(
    orgkit: AnyOrgkit,
    userId: string | undefined,
    options?: UserActionOptions,
  ): Promise<unknown>;
  /** The permission acting on another user (or, with `evenForSelf`, on oneself) needs. */
  permission: 'users:manage' | 'experts:manage';
  evenForSelf: boolean;
}

/** The seed roles of the users every test starts with (`users.role`). */
export const ROLES: Readonly<Record<string, string>> = {
  user_admin: 'admin', // users:manage and experts:manage
  user_super: 'superadmin', // both too
  user_plain: 'user', // neither
  user_expert: 'expert_top', // neither
};

export const USERS = Object.keys(ROLES);

/** Every function of the instance that takes a user id and is authorized by the shared rule. */
export const USER_ACTIONS: readonly UserAction[] = [
  {
    name: 'getUserPreferences',
    call: (o, id, opts) => o.getUserPreferences(id, opts),
    permission: 'users:manage',
    evenForSelf: false,
  },
  {
    name: 'updateUserPreferences',
    call: (o, id, opts) => o.updateUserPreferences(id, { theme: 'dark' }, opts),
    permission: 'users:manage',
    evenForSelf: false,
  },
  {
    name: 'resetToDefaults',
    call: (o, id, opts) => o.resetToDefaults(id, opts),
    permission: 'users:manage',
    evenForSelf: false,
  },
  {
    name: 'checkExpertSetupStatus',
    call: (o, id, opts) => o.checkExpertSetupStatus(id, opts),
    permission: 'users:manage',
    evenForSelf: false,
  },
  {
    name: 'markStepComplete',
    call: (o, id, opts) => o.markStepComplete('profile', id, opts),
    permission: 'users:manage',
    evenForSelf: false,
  },
  {
    name: 'resetSetup',
    // resetSetup takes no default user: the id is always named.
    call: (o, id, opts) => o.resetSetup(id as string, opts),
    permission: 'experts:manage',
    evenForSelf: true,
  },
  {
    name: 'setUserRole',
    // The user's own role again: a real write that leaves the fixture's roles as they are.
    call: (o, id, opts) => o.setUserRole(id as string, (ROLES[id ?? ''] ?? 'user') as never, opts),
    permission: 'users:manage',
    evenForSelf: true,
  },
];

const TABLES = ['users', 'user_preferences', 'expert_setup', 'audit_logs'] as const;

/** Every row of every table these functions touch, for "nothing changed" assertions. */
export async function snapshot(db: TestDatabase['db']): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    out[table] = rowsOf(await db.execute(sql`SELECT * FROM ${sql.identifier(table)} ORDER BY id`));
  }
  return out;
}

/** An instance over `database` with the fixture users in `users`. */
export async function openOrgkit(
  database: TestDatabase,
  config: Pick<OrgkitConfig, 'users'> = {},
): Promise<AnyOrgkit> {
  const orgkit = createOrgkit({ database: database.db, ...config });
  await database.db
    .insert(orgkit.tables.users)
    .values(
      USERS.map((id) => ({ workosUserId: id, email: `${id}@example.com`, role: ROLES[id]! })),
    );
  return orgkit;
}

/** The error code a call ends with, or `accepted`; anything but an OrgkitError fails the test. */
export async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'accepted';
  } catch (error) {
    if (!isOrgkitError(error)) throw error;
    return error.code;
  }
}

/** The permissions a fixture user's app role grants, from the default access model. */
export function holds(orgkit: AnyOrgkit, userId: string, permission: string): boolean {
  const role = ROLES[userId] ?? orgkit.accessControl.defaultRole;
  return (orgkit.accessControl.permissionsOf(role as never) as ReadonlySet<string>).has(permission);
}
