import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';
import type { RefreshStore } from './refresh-store.js';

const ms = (value: number) => sql`now() + ${`${value} milliseconds`}::interval`;

/**
 * The refresh store of instances that share only the database: the `sessionRefreshes` table. A
 * lease is an upsert that wins only over an expired lease or outcome; rows past their window are
 * purged by the next refresh.
 * @internal
 */
export function createPostgresRefreshStore(db: OrgkitDatabase, tables: OrgkitTables): RefreshStore {
  const t = tables.sessionRefreshes;
  let sweptAt = 0;
  return {
    async read(key) {
      const [row] = await db
        .select({ outcome: t.outcome })
        .from(t)
        .where(and(eq(t.key, key), sql`${t.outcomeExpiresAt} > now()`));
      return row?.outcome ?? undefined;
    },
    async claim(key, holder, leaseMs) {
      const rows = await db
        .insert(t)
        .values({ key, holder, leaseExpiresAt: ms(leaseMs) })
        .onConflictDoUpdate({
          target: t.key,
          set: { holder, leaseExpiresAt: ms(leaseMs), outcome: null, outcomeExpiresAt: null },
          setWhere: or(
            and(isNull(t.outcome), lt(t.leaseExpiresAt, sql`now()`)),
            lt(t.outcomeExpiresAt, sql`now()`),
          ),
        })
        .returning({ holder: t.holder });
      return rows[0]?.holder === holder;
    },
    async write(key, holder, outcome, ttlMs) {
      await db
        .update(t)
        .set({ outcome, outcomeExpiresAt: ms(ttlMs), leaseExpiresAt: sql`now()` })
        .where(and(eq(t.key, key), eq(t.holder, holder)));
      // Refreshes are rare next to reads: once a minute, the one that just ended sweeps what
      // has expired (an outcome past its window is unreadable already: `read` checks the time).
      if (Date.now() - sweptAt < 60_000) return;
      sweptAt = Date.now();
      await db
        .delete(t)
        .where(
          or(
            lt(t.outcomeExpiresAt, sql`now()`),
            and(isNull(t.outcome), lt(t.leaseExpiresAt, sql`now() - interval '1 minute'`)),
          ),
        );
    },
    async release(key, holder) {
      await db.delete(t).where(and(eq(t.key, key), eq(t.holder, holder), isNull(t.outcome)));
    },
    async close() {},
  };
}
