import { importPeer } from '../config/import-peer.js';
import type { OrgkitDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { ORGKIT_MIGRATIONS } from '../db/migrations.generated.js';
import { defaultRlsModel } from '../rls/default-model.js';
import { generateRlsSql } from '../rls/generate-sql.js';
import type { RlsModel } from '../rls/model.js';

/** A database with the orgkit schema applied, private to one test. */
export interface TestDatabase {
  db: OrgkitDatabase;
  /** `pglite` (embedded) or `postgres` (a real server, own schema). */
  kind: 'pglite' | 'postgres';
  /** The schema holding this test's tables (`public` on PGlite, where the instance is private). */
  schema: string;
  /**
   * The role `db` runs as: the connecting superuser, or {@link TEST_OWNER_ROLE} when the
   * database was made with `rls`.
   */
  role: string;
  /** The connection URL `db` uses on a real server (as {@link TestDatabase.role}); absent on PGlite. */
  url?: string;
  /** Drops what the test created and closes connections. */
  close(): Promise<void>;
}

/** Options for {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /**
   * A Postgres URL. Each call gets its own schema on that server, so parallel tests never see
   * each other's rows. Omit it for a private in-memory PGlite instance.
   */
  url?: string;
  /** Pool size on a real server. @default 10 */
  maxConnections?: number;
  /**
   * Apply row-level security and run as a production-like role: the tables are created by, owned
   * by and queried as {@link TEST_OWNER_ROLE}, which is not a superuser but has `BYPASSRLS` (as
   * Neon's `neondb_owner` and Supabase's `postgres` are), and the policies of `rls` (or of orgkit's
   * own tables for `true`) are applied for the request role `authenticated`, which the owner role
   * may switch to with `withRls`. On a real server both roles are created once and shared by every
   * test database (roles are server-wide); the tables stay in the test's own schema.
   */
  rls?: true | RlsModel;
  /**
   * PGlite only: a folder where the migrated database is kept between test files and runs, keyed
   * by the migrations and the RLS SQL, so only the first test file of a run pays for applying
   * them. A test runner isolates each file, so without it every file migrates again.
   * @default process.env.ORGKIT_TEST_TEMPLATE_DIR (none when unset)
   */
  templateCacheDir?: string;
}

/**
 * The role a database made with `rls` runs as: `NOSUPERUSER BYPASSRLS`, owner of the test's
 * tables, member of `authenticated`.
 */
export const TEST_OWNER_ROLE = 'orgkit_owner';
const REQUEST_ROLE = 'authenticated';

// Roles are server-wide and parallel test files create them at the same moment: each statement
// tolerates the role already being there, and the caller retries a concurrent-update error.
const CREATE_ROLES = `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${TEST_OWNER_ROLE}') THEN
    CREATE ROLE "${TEST_OWNER_ROLE}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${REQUEST_ROLE}') THEN
    CREATE ROLE "${REQUEST_ROLE}" NOLOGIN NOINHERIT;
  END IF;
  IF NOT pg_catalog.pg_has_role('${TEST_OWNER_ROLE}', '${REQUEST_ROLE}', 'MEMBER') THEN
    GRANT "${REQUEST_ROLE}" TO "${TEST_OWNER_ROLE}";
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;`;

async function withRetries(run: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await run();
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
  }
}

function rlsSql(rls: true | RlsModel, schema: string): string {
  return generateRlsSql(rls === true ? defaultRlsModel() : rls, { target: 'postgres', schema });
}

// A migrated data directory, made once per process (and, with a cache folder, once per run):
// starting PGlite from it takes a fraction of a fresh initdb plus migrations. It is immutable, so
// sharing it shares no state. Keyed by what went into it: the migrations, the roles, the policies.
const migratedDataDirs = new Map<string, Promise<Blob>>();

async function createPgliteDatabase(
  rls: true | RlsModel | undefined,
  templateCacheDir: string | undefined,
): Promise<TestDatabase> {
  const { PGlite } = await importPeer<typeof import('@electric-sql/pglite')>(
    '@electric-sql/pglite',
    'this test database',
  );
  const { drizzle } = await importPeer<typeof import('drizzle-orm/pglite')>(
    'drizzle-orm/pglite',
    'this test database',
  );
  // PGlite has one session, whose user is a superuser: running "as the owner" is a session-level
  // SET ROLE, made again on every instance because a data directory does not keep it.
  const becomeOwner = (client: InstanceType<typeof PGlite>) =>
    client.exec(`SET ROLE "${TEST_OWNER_ROLE}"`);
  const policies = rls ? rlsSql(rls, 'public') : '';
  const key = await sha256Hex(
    [
      ...ORGKIT_MIGRATIONS.map((migration) => migration.hash),
      rls ? CREATE_ROLES : '',
      policies,
    ].join('\n'),
  );
  const build = async (): Promise<Blob> => {
    const client = await PGlite.create();
    if (rls) {
      await client.exec(`${CREATE_ROLES}\nALTER SCHEMA public OWNER TO "${TEST_OWNER_ROLE}";`);
      await becomeOwner(client);
    }
    await migrate(drizzle({ client }));
    if (policies) await client.exec(policies);
    const dump = await client.dumpDataDir('none');
    await client.close();
    return dump;
  };
  let template = migratedDataDirs.get(key);
  if (!template) {
    template = templateCacheDir ? cachedOnDisk(templateCacheDir, key, build) : build();
    migratedDataDirs.set(key, template);
  }
  let client: InstanceType<typeof PGlite>;
  try {
    client = await PGlite.create({ loadDataDir: await template });
  } catch (error) {
    if (!templateCacheDir) throw error;
    // A cached file that does not load (cut short, another PGlite's format) is made again.
    template = cachedOnDisk(templateCacheDir, key, build, { replace: true });
    migratedDataDirs.set(key, template);
    client = await PGlite.create({ loadDataDir: await template });
  }
  if (rls) await becomeOwner(client);
  const db = drizzle({ client });
  return {
    db,
    kind: 'pglite',
    schema: 'public',
    role: rls ? TEST_OWNER_ROLE : 'postgres',
    close: () => client.close(),
  };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

// A template another file of the run (or an earlier run) wrote, or a new one written atomically
// (a temporary name, then rename) so parallel test files never read half a file.
async function cachedOnDisk(
  dir: string,
  key: string,
  build: () => Promise<Blob>,
  options: { replace?: boolean } = {},
): Promise<Blob> {
  const { mkdir, readFile, rename, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const path = join(dir, `orgkit-pglite-${key.slice(0, 32)}.tar`);
  try {
    if (options.replace) throw new Error('replace');
    return new Blob([await readFile(path)]);
  } catch {
    const dump = await build();
    await mkdir(dir, { recursive: true });
    const temporary = `${path}.${crypto.randomUUID()}`;
    await writeFile(temporary, new Uint8Array(await dump.arrayBuffer()));
    await rename(temporary, path);
    return dump;
  }
}

async function createPostgresDatabase(
  url: string,
  max: number,
  rls: true | RlsModel | undefined,
): Promise<TestDatabase> {
  const pg = await importPeer<typeof import('pg')>('pg', 'this test database');
  const { drizzle } = await importPeer<typeof import('drizzle-orm/node-postgres')>(
    'drizzle-orm/node-postgres',
    'this test database',
  );
  const Pool = pg.Pool ?? (pg as unknown as { default: typeof pg }).default.Pool;
  const schema = `orgkit_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new Pool({ connectionString: url, max: 1 });
  let connectAs = url;
  if (rls) {
    await withRetries(() => admin.query(CREATE_ROLES));
    await admin.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${TEST_OWNER_ROLE}"`);
    const ownerUrl = new URL(url);
    ownerUrl.username = TEST_OWNER_ROLE;
    ownerUrl.password = '';
    connectAs = ownerUrl.toString();
  } else {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  }
  const pool = new Pool({ connectionString: connectAs, max, options: `-c search_path=${schema}` });
  const db = drizzle({ client: pool });
  await migrate(db);
  if (rls) await pool.query(rlsSql(rls, schema));
  const { rows } = await pool.query<{ role: string }>('SELECT current_user AS role');
  return {
    db,
    kind: 'postgres',
    schema,
    role: rows[0]?.role ?? TEST_OWNER_ROLE,
    url: connectAs,
    async close() {
      await pool.end();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/**
 * A fresh database with orgkit's migrations applied: embedded PGlite by default, or a private
 * schema on a real server when `url` is given.
 *
 * @example
 * ```ts
 * const { db, close } = await createTestDatabase({ url: process.env.DATABASE_URL })
 * afterEach(close)
 * ```
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  return options.url
    ? createPostgresDatabase(options.url, options.maxConnections ?? 10, options.rls)
    : createPgliteDatabase(
        options.rls,
        options.templateCacheDir ?? (process.env.ORGKIT_TEST_TEMPLATE_DIR || undefined),
      );
}
