import type { OrgkitDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { OrgkitError } from '../errors/index.js';

/** A database with the orgkit schema applied, private to one test. */
export interface TestDatabase {
  db: OrgkitDatabase;
  /** `pglite` (embedded) or `postgres` (a real server, own schema). */
  kind: 'pglite' | 'postgres';
  /** The schema holding this test's tables (`public` on PGlite, where the instance is private). */
  schema: string;
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
}

async function importOptional<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (cause) {
    throw new OrgkitError('missing_dependency', `install "${name}" to use this test database`, {
      cause,
    });
  }
}

// A migrated data directory, made once per process: starting PGlite from it takes a fraction
// of a fresh initdb plus migrations. It is immutable, so sharing it shares no state.
let migratedDataDir: Promise<File | Blob> | undefined;

async function createPgliteDatabase(): Promise<TestDatabase> {
  const { PGlite } =
    await importOptional<typeof import('@electric-sql/pglite')>('@electric-sql/pglite');
  const { drizzle } =
    await importOptional<typeof import('drizzle-orm/pglite')>('drizzle-orm/pglite');
  migratedDataDir ??= (async () => {
    const template = await PGlite.create();
    await migrate(drizzle({ client: template }));
    const dump = await template.dumpDataDir('none');
    await template.close();
    return dump;
  })();
  const client = await PGlite.create({ loadDataDir: await migratedDataDir });
  const db = drizzle({ client });
  return { db, kind: 'pglite', schema: 'public', close: () => client.close() };
}

async function createPostgresDatabase(url: string, max: number): Promise<TestDatabase> {
  const pg = await importOptional<typeof import('pg')>('pg');
  const { drizzle } = await importOptional<typeof import('drizzle-orm/node-postgres')>(
    'drizzle-orm/node-postgres',
  );
  const Pool = pg.Pool ?? (pg as unknown as { default: typeof pg }).default.Pool;
  const schema = `orgkit_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const pool = new Pool({ connectionString: url, max, options: `-c search_path=${schema}` });
  const db = drizzle({ client: pool });
  await migrate(db);
  return {
    db,
    kind: 'postgres',
    schema,
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
    ? createPostgresDatabase(options.url, options.maxConnections ?? 10)
    : createPgliteDatabase();
}
