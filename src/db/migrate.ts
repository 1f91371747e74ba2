import { sql } from 'drizzle-orm';
import { OrgkitError } from '../errors/index.js';
import type { OrgkitDatabase } from './database.js';
import { rowsOf } from './database.js';
import type { Migration } from './migration.js';
import { ORGKIT_MIGRATIONS } from './migrations.generated.js';

/** What {@link migrate} did. */
export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

const LOCK_KEY = 0x6f72676b; // "orgk": serialises concurrent `orgkit db migrate` runs

/**
 * Applies orgkit's SQL migrations that have not run yet, each in its own transaction.
 * Safe to run twice and from two processes at once (an advisory lock serialises them).
 *
 * @example
 * ```ts
 * import { migrate } from 'orgkit/drizzle'
 * await migrate(db)
 * ```
 */
export async function migrate(
  db: OrgkitDatabase,
  migrations: readonly Migration[] = ORGKIT_MIGRATIONS,
): Promise<MigrateResult> {
  const result: MigrateResult = { applied: [], skipped: [] };
  await db.execute(sql`
    CREATE TABLE IF NOT EXISTS orgkit_migrations (
      tag text PRIMARY KEY,
      hash text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  for (const migration of migrations) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
      const [existing] = rowsOf<{ hash: string }>(
        await tx.execute(sql`SELECT hash FROM orgkit_migrations WHERE tag = ${migration.tag}`),
      );
      if (existing) {
        if (existing.hash !== migration.hash) {
          throw new OrgkitError(
            'conflict',
            `migration ${migration.tag} was applied with different SQL (hash ${existing.hash.slice(0, 12)}…); it must not be edited after release`,
          );
        }
        result.skipped.push(migration.tag);
        return;
      }
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.execute(
        sql`INSERT INTO orgkit_migrations (tag, hash) VALUES (${migration.tag}, ${migration.hash})`,
      );
      result.applied.push(migration.tag);
    });
  }
  return result;
}
