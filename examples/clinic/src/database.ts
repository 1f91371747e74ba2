import { migrate, type OrgkitDatabase } from 'orgkit/drizzle';
import { rlsSql } from './rls.js';
import { CLINIC_MIGRATION } from './schema.js';

/** Where the clinic keeps its data. */
export interface ClinicDatabaseOptions {
  /** A Postgres URL; without it, embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite's data directory (e.g. `.data/clinic`); in memory when omitted. */
  dataDir?: string | undefined;
  /**
   * Postgres only: keep the clinic's tables in this schema (created if missing), so it can share
   * a database with other things. @default 'public'
   */
  schema?: string | undefined;
  /** Postgres only: drop `schema` and everything in it on close (a demo's or a test's run). */
  dropSchemaOnClose?: boolean | undefined;
}

/** An open, migrated clinic database. */
export interface ClinicDatabase {
  /** The drizzle database, connected as the owner (a superuser here; BYPASSRLS in production). */
  db: OrgkitDatabase;
  /** e.g. `PGlite (in memory)` or `Postgres (schema public)`, for the start-up line. */
  description: string;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the database and applies, in order and idempotently: orgkit's migrations, the clinic's
 * `meetings` table, and the RLS policies generated from the clinic's model.
 */
export async function openClinicDatabase(
  options: ClinicDatabaseOptions = {},
): Promise<ClinicDatabase> {
  const opened = options.databaseUrl
    ? await openPostgres(
        options.databaseUrl,
        options.schema ?? 'public',
        options.dropSchemaOnClose === true,
      )
    : await openPglite(options.dataDir);
  try {
    await migrate(opened.db);
    await opened.exec(CLINIC_MIGRATION);
    await opened.exec(rlsSql(opened.schema));
  } catch (error) {
    await opened.close();
    throw error;
  }
  return { db: opened.db, description: opened.description, close: opened.close };
}

interface Opened extends ClinicDatabase {
  schema: string;
  /** Runs a script of several statements (the RLS SQL). */
  exec(script: string): Promise<unknown>;
}

async function openPglite(dataDir: string | undefined): Promise<Opened> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const client = await PGlite.create(dataDir ?? 'memory://');
  return {
    db: drizzle({ client }) as unknown as OrgkitDatabase,
    schema: 'public',
    description: dataDir ? `PGlite in ${dataDir}` : 'PGlite (in memory)',
    exec: (script) => client.exec(script),
    close: () => client.close(),
  };
}

async function openPostgres(url: string, schema: string, dropOnClose: boolean): Promise<Opened> {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`schema "${schema}": use lower-case letters, digits and _`);
  }
  if (dropOnClose && schema === 'public') {
    throw new Error('dropSchemaOnClose: name a schema of its own, never public');
  }
  const pg = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const Pool = pg.Pool ?? (pg as unknown as { default: typeof pg }).default.Pool;
  const admin = new Pool({ connectionString: url, max: 1 });
  try {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await admin.end();
  }
  const pool = new Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  return {
    db: drizzle({ client: pool }) as unknown as OrgkitDatabase,
    schema,
    description: `Postgres (schema ${schema})`,
    exec: (script) => pool.query(script),
    async close() {
      try {
        if (dropOnClose) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}
