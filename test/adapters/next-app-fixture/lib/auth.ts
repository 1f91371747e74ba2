import { decodeJwt } from 'jose';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { createOrgkit, defineAccessControl } from 'orgkit';
import { migrate, type OrgkitDatabase, userOrgMemberships, users } from 'orgkit/drizzle';
import { type AuthKitSession, createNextAuth } from 'orgkit/next';
import { ACCESS_TOKEN_HEADER, FIXTURE_ORGANIZATION, FIXTURE_USERS } from './fixture-users';

const accessControl = defineAccessControl({
  permissions: ['posts:read', 'posts:write', 'users:manage', 'billing:manage'],
  appRoles: {
    user: ['posts:read'],
    editor: ['posts:read', 'posts:write'],
    admin: ['posts:read', 'posts:write', 'users:manage'],
  },
  orgRoles: { member: ['posts:read'], billing_admin: ['billing:manage'] },
});

/** Calls made since the server started; a page reports the difference across its own render. */
export interface FixtureCounts {
  /** Calls of the AuthKit stand-in. */
  authkitReads: number;
  /** `orgkit.verifyAccessToken` calls made by the adapter. */
  verifications: number;
  /** `orgkit.getUserRoles` calls made by the adapter. */
  roleLookups: number;
  /** `orgkit.getAccess` calls made by the adapter (one per rule check). */
  accessLookups: number;
  /** Role queries that reached the database. */
  roleQueries: number;
}

type User = { id: string };

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`the fixture needs ${name}`);
  return value;
};

async function openDatabase(counts: FixtureCounts): Promise<OrgkitDatabase> {
  // The role query is the only UNION ALL over the membership table.
  const logger = {
    logQuery(query: string) {
      if (/union all/i.test(query) && query.includes('user_org_memberships')) counts.roleQueries++;
    },
  };
  const url = process.env.ORGKIT_FIXTURE_DATABASE_URL;
  if (url) {
    // A schema the test created and migrated; the test drops it.
    const schema = env('ORGKIT_FIXTURE_DATABASE_SCHEMA');
    if (!/^\w+$/.test(schema)) throw new Error('ORGKIT_FIXTURE_DATABASE_SCHEMA: not a name');
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({
      connectionString: url,
      max: 4,
      options: `-c search_path=${schema}`,
    });
    return drizzle({ client: pool, logger });
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const db = drizzle({ client: await PGlite.create(), logger });
  await migrate(db);
  return db;
}

async function seed(database: OrgkitDatabase) {
  for (const user of Object.values(FIXTURE_USERS)) {
    await database
      .insert(users)
      .values({ workosUserId: user.id, email: `${user.id}@example.com`, role: user.appRole });
    if (user.orgRole === undefined) continue;
    await database.insert(userOrgMemberships).values({
      workosMembershipId: `om_${user.id}`,
      workosUserId: user.id,
      workosOrgId: FIXTURE_ORGANIZATION,
      role: user.orgRole,
      roles: [user.orgRole],
    });
  }
}

interface ProcessState {
  counts: FixtureCounts;
  database: Promise<OrgkitDatabase>;
}

const STATE = Symbol.for('orgkit.nextFixture');

/**
 * One database and one set of counters per server process, as an app keeps one pool: Next loads
 * the page bundle and the route-handler bundle as separate module instances.
 */
function processState(): ProcessState {
  const slot = globalThis as { [STATE]?: ProcessState };
  if (slot[STATE]) return slot[STATE];
  const counts: FixtureCounts = {
    authkitReads: 0,
    verifications: 0,
    roleLookups: 0,
    accessLookups: 0,
    roleQueries: 0,
  };
  const database = openDatabase(counts).then(async (db) => {
    await seed(db);
    return db;
  });
  slot[STATE] = { counts, database };
  return slot[STATE];
}

async function createFixture() {
  const { counts, database } = processState();
  const orgkit = createOrgkit({
    database: await database,
    accessControl,
    session: {
      jwksUrl: env('ORGKIT_FIXTURE_JWKS_URL'),
      issuers: [env('ORGKIT_FIXTURE_ISSUER')],
    },
  });

  /**
   * AuthKit's `withAuth` in shape: the session comes from the request (a header here, a sealed
   * cookie in AuthKit), and `ensureSignedIn` without one redirects to sign-in.
   */
  async function authkit(options?: { ensureSignedIn?: boolean }): Promise<AuthKitSession<User>> {
    counts.authkitReads++;
    const accessToken = (await headers()).get(ACCESS_TOKEN_HEADER);
    if (!accessToken) {
      if (options?.ensureSignedIn) redirect('/sign-in');
      return { user: null };
    }
    return { user: { id: String(decodeJwt(accessToken).sub) }, accessToken };
  }

  // The adapter sees orgkit through this view, so the calls it makes can be counted.
  const observed: Pick<
    typeof orgkit,
    | 'accessControl'
    | 'verifyAccessToken'
    | 'runWithRequestScope'
    | 'getUserRoles'
    | 'getAccess'
    | 'handleWorkOSWebhook'
  > = {
    accessControl: orgkit.accessControl,
    verifyAccessToken: (token) => {
      counts.verifications++;
      return orgkit.verifyAccessToken(token);
    },
    runWithRequestScope: (init, fn) => orgkit.runWithRequestScope(init, fn),
    getUserRoles: (userId, options) => {
      counts.roleLookups++;
      return orgkit.getUserRoles(userId, options);
    },
    getAccess: (userId, options) => {
      counts.accessLookups++;
      return orgkit.getAccess(userId, options);
    },
    handleWorkOSWebhook: (body, signature) => orgkit.handleWorkOSWebhook(body, signature),
  };
  // The test sends X-Forwarded-For as the one proxy in front would.
  const auth = createNextAuth(observed, { authkit, trustProxy: 1 });
  return { orgkit, auth, counts };
}

let fixture: ReturnType<typeof createFixture> | undefined;

/**
 * The app's orgkit and `auth`, made on first use: `next build` imports every route to read its
 * config, and must not open a database while doing so.
 */
export function getFixture(): ReturnType<typeof createFixture> {
  fixture ??= createFixture();
  return fixture;
}
