import type { PgDatabase } from 'drizzle-orm/pg-core';

/**
 * Any drizzle Postgres database: node-postgres, postgres.js, Neon, PGlite.
 * orgkit only uses the driver-neutral query builder and `execute`.
 */
// drizzle's driver-specific type parameters vary by driver, so they stay open.
export type OrgkitDatabase = PgDatabase<any, any, any>;

/** Rows of a `db.execute()` result, whichever driver produced it. @internal */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
