import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { lintRls, type RlsLintFinding, type RlsLintOptions } from '../../src/rls/lint/index.js';

/** A private schema inside a transaction that is rolled back, so nothing is left behind. */
export interface LintFixture {
  schema: string;
  /** The fixture's transaction. */
  db: OrgkitDatabase;
  /** Runs statements one by one; `{s}` stands for the private schema. */
  run(...statements: string[]): Promise<void>;
  /** Lints the private schema only. */
  lint(options?: Omit<RlsLintOptions, 'schemas'>): Promise<RlsLintFinding[]>;
  /** A role no other test uses (rolled back with the rest). */
  createRole(attributes?: string): Promise<string>;
}

function uniqueName(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** A database on the target: a fresh in-memory PGlite, or a one-connection pool on the server. */
export async function openLintDatabase(
  url: string | undefined,
): Promise<{ db: OrgkitDatabase; close(): Promise<void> }> {
  if (url) {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    return { db: drizzle({ client: pool }), close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const client = await PGlite.create();
  return { db: drizzle({ client }), close: () => client.close() };
}

/**
 * The request role is cluster-wide on a real server: created (committed) only when missing,
 * never dropped; a concurrent creation by another test is fine.
 */
export async function ensureAuthenticatedRole(db: OrgkitDatabase): Promise<void> {
  await db.execute(sql`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
      CREATE ROLE authenticated NOLOGIN;
    END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END $$`);
}

// Neon's claim readers, reading request.jwt.claims; created inside the rolled-back transaction
// when missing, so a server that has them (another test's shims) keeps its own.
const AUTH_SHIMS = [
  `CREATE SCHEMA IF NOT EXISTS auth`,
  `DO $$ BEGIN
     IF to_regprocedure('auth.user_id()') IS NULL THEN
       CREATE FUNCTION auth.user_id() RETURNS text LANGUAGE sql STABLE
         AS 'SELECT nullif(current_setting(''request.jwt.claims'', true), '''')::jsonb ->> ''sub''';
     END IF;
     IF to_regprocedure('auth.uid()') IS NULL THEN
       CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
         AS 'SELECT (nullif(current_setting(''request.jwt.claims'', true), '''')::jsonb ->> ''sub'')::uuid';
     END IF;
   END $$`,
];

class Rollback extends Error {}

/** Runs `fn` with a fixture on the target, then rolls everything back and closes. */
export async function withLintFixture(
  url: string | undefined,
  fn: (fixture: LintFixture) => Promise<void>,
): Promise<void> {
  const { db, close } = await openLintDatabase(url);
  try {
    await ensureAuthenticatedRole(db);
    await db
      .transaction(async (tx) => {
        const schema = uniqueName('rls_lint');
        const run = async (...statements: string[]) => {
          for (const statement of statements) {
            await tx.execute(sql.raw(statement.replaceAll('{s}', `"${schema}"`)));
          }
        };
        await run('CREATE SCHEMA {s}', ...AUTH_SHIMS);
        await fn({
          schema,
          db: tx,
          run,
          lint: (options = {}) => lintRls(tx, { ...options, schemas: [schema] }),
          async createRole(attributes = '') {
            const role = uniqueName('rls_lint_role');
            await run(`CREATE ROLE ${role} NOLOGIN ${attributes}`);
            return role;
          },
        });
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
  } finally {
    await close();
  }
}

/** Findings reduced to what each test asserts exactly. */
export function brief(findings: RlsLintFinding[]) {
  return findings.map(({ rule, level, table, policy }) => ({
    rule,
    level,
    ...(table === undefined ? {} : { table }),
    ...(policy === undefined ? {} : { policy }),
  }));
}
