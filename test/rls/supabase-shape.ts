import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { rowsOf } from '../../src/db/database.js';

/**
 * A database shaped like a Supabase project, as far as the advisor can see: the three API
 * roles, the default privileges that grant `anon`, `authenticated` and `service_role` everything
 * the connecting role creates in `public` (tables, sequences and functions), and `auth.uid()`,
 * `auth.jwt()`, `auth.role()`, `auth.email()` with Supabase's bodies (supabase/auth's
 * migrations). Roles are cluster-wide on a server: created only when missing, never dropped.
 */
export const SUPABASE_SHAPE = `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
CREATE OR REPLACE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
CREATE OR REPLACE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth TO anon, authenticated, service_role;
`;

/**
 * Neon's shape with pg_session_jwt and the WorkOS guide: `authenticated` and `anonymous`, both
 * granted what the owner creates in `public`, and `auth.user_id()` / `auth.session()`.
 */
export const NEON_SHAPE = `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anonymous') THEN
    CREATE ROLE anonymous NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT USAGE ON SCHEMA public TO anonymous, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anonymous, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anonymous, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anonymous, authenticated;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.session() RETURNS jsonb LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;
CREATE OR REPLACE FUNCTION auth.user_id() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub' $$;
GRANT USAGE ON SCHEMA auth TO anonymous, authenticated;
`;

/** Where splinter's lint SQL is looked for, first found wins. */
export function splinterCandidates(): string[] {
  return [
    ...(process.env.SPLINTER_DIR ? [resolve(process.env.SPLINTER_DIR)] : []),
    resolve(import.meta.dirname, '../../../shared/vendor/splinter/lints'),
  ];
}

/** The directory holding splinter's `NNNN_name.sql` lint views, if any candidate has them. */
export function findSplinterLints(): string | undefined {
  return splinterCandidates().find(
    (dir) => existsSync(dir) && readdirSync(dir).some((f) => /^\d{4}_.*\.sql$/.test(f)),
  );
}

/** One row of splinter's output. */
export interface AdvisorRow {
  name: string;
  level: string;
  cacheKey: string;
  detail: string;
}

/**
 * Creates each lint view of `dir` in a `lint` schema (as splinter's own tests do) and reads them
 * all, with `pgrst.db_schemas` set to `public` as PostgREST's default exposes it. Runs inside a
 * transaction that is rolled back, so the database keeps nothing of it.
 */
export async function runSplinter(db: OrgkitDatabase, dir: string): Promise<AdvisorRow[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort();
  const found: AdvisorRow[] = [];
  class Done extends Error {}
  await db
    .transaction(async (tx) => {
      await tx.execute(sql.raw(`SET LOCAL search_path = ''`));
      await tx.execute(sql.raw(`SET LOCAL pgrst.db_schemas = 'public'`));
      await tx.execute(sql.raw('CREATE SCHEMA lint'));
      for (const file of files) {
        await tx.execute(sql.raw(readFileSync(join(dir, file), 'utf8')));
        const view = file.replace(/\.sql$/, '');
        const rows = rowsOf<AdvisorRow>(
          await tx.execute(
            sql.raw(
              `SELECT name, level, cache_key AS "cacheKey", detail FROM lint."${view}" ORDER BY cache_key`,
            ),
          ),
        );
        found.push(...rows);
      }
      throw new Done();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Done)) throw error;
    });
  return found;
}

/** The clinic's `meetings`: the shared app table the advisor runs were made with. */
export const MEETINGS_DDL = `CREATE TABLE public.meetings (id text PRIMARY KEY, expert_org_id text NOT NULL, guest_workos_user_id text, title text NOT NULL DEFAULT '')`;

/** A database of its own (the advisor reads every schema): fresh PGlite, or a new database on the server. */
export async function openPrivateDatabase(url: string | undefined): Promise<{
  db: OrgkitDatabase;
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}> {
  if (!url) {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const client = await PGlite.create();
    return {
      db: drizzle({ client }),
      exec: async (text) => void (await client.exec(text)),
      close: () => client.close(),
    };
  }
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const name = `orgkit_advisor_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: target.toString(), max: 1 });
  // `pool.end()` resolves before its last socket is gone; DROP DATABASE … WITH (FORCE) then
  // terminates that backend, and an idle client's error with no listener is an uncaught exception.
  pool.on('error', () => undefined);
  return {
    db: drizzle({ client: pool }),
    exec: async (text) => void (await pool.query(text)),
    async close() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
