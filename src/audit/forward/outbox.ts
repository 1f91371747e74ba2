import { and, asc, count, eq, gte, inArray, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';

/** An outbox row a drain holds. @internal */
export interface LeasedEntry {
  eventId: bigint;
  organizationId: string;
  /** Failed attempts so far. */
  attempts: number;
}

// Every time comparison uses the database clock, so processes with skewed clocks agree on what
// is due and who holds a lease.
const ms = (value: number) => sql`(${value}::double precision * interval '1 millisecond')`;

/**
 * The WorkOS outbox, one short statement per step: no transaction is ever held open while
 * WorkOS is called. A drain holds its rows by a random lease token; every later write names the
 * token, so a drain whose lease expired and was taken over can no longer touch them.
 * @internal
 */
export function createOutbox(db: OrgkitDatabase, tables: OrgkitTables) {
  const t = tables.auditOutbox;
  const mine = (token: string, ...more: SQL[]) => and(eq(t.leaseToken, token), ...more);

  return {
    /** Leases up to `batchSize` due rows that no one holds and that have attempts left. */
    async lease(
      token: string,
      options: { batchSize: number; maxAttempts: number; leaseMs: number },
    ): Promise<LeasedEntry[]> {
      const due = db
        .select({ eventId: t.eventId })
        .from(t)
        .where(
          and(
            lte(t.nextAttemptAt, sql`now()`),
            lt(t.attempts, options.maxAttempts),
            or(isNull(t.leaseExpiresAt), lte(t.leaseExpiresAt, sql`now()`)),
          ),
        )
        .orderBy(asc(t.nextAttemptAt), asc(t.eventId))
        .limit(options.batchSize)
        .for('update', { skipLocked: true });
      const rows = await db
        .update(t)
        .set({ leaseToken: token, leaseExpiresAt: sql`now() + ${ms(options.leaseMs)}` })
        .where(inArray(t.eventId, due))
        .returning({ eventId: t.eventId, organizationId: t.workosOrgId, attempts: t.attempts });
      return rows.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    },

    /** Extends the lease on one row just before it is sent; false when the lease was lost. */
    async renew(eventId: bigint, token: string, leaseMs: number): Promise<boolean> {
      const rows = await db
        .update(t)
        .set({ leaseExpiresAt: sql`now() + ${ms(leaseMs)}` })
        .where(mine(token, eq(t.eventId, eventId)))
        .returning({ eventId: t.eventId });
      return rows.length > 0;
    },

    /** Removes a row that is done with (sent, or its event purged); false when the lease was lost. */
    async remove(eventId: bigint, token: string): Promise<boolean> {
      const rows = await db
        .delete(t)
        .where(mine(token, eq(t.eventId, eventId)))
        .returning({ eventId: t.eventId });
      return rows.length > 0;
    },

    /** Records a failed attempt and releases the row, due again after `delayMs`. */
    async fail(
      eventId: bigint,
      token: string,
      failure: { attempts: number; delayMs: number; error: string },
    ): Promise<boolean> {
      const rows = await db
        .update(t)
        .set({
          attempts: failure.attempts,
          nextAttemptAt: sql`now() + ${ms(failure.delayMs)}`,
          lastError: failure.error,
          leaseToken: null,
          leaseExpiresAt: null,
        })
        .where(mine(token, eq(t.eventId, eventId)))
        .returning({ eventId: t.eventId });
      return rows.length > 0;
    },

    /** Releases rows that were not tried, without spending an attempt; due again after `delayMs`. */
    async putBack(eventIds: bigint[], token: string, delayMs: number): Promise<number> {
      if (eventIds.length === 0) return 0;
      const rows = await db
        .update(t)
        .set({
          nextAttemptAt: sql`now() + ${ms(delayMs)}`,
          leaseToken: null,
          leaseExpiresAt: null,
        })
        .where(mine(token, inArray(t.eventId, eventIds)))
        .returning({ eventId: t.eventId });
      return rows.length;
    },

    /** Rows given up on (by any run), waiting for an operator. */
    /** How many events wait (abandoned ones too) and the oldest one's age, by the database clock. */
    async backlog(): Promise<{ depth: number; oldestAgeSeconds: number }> {
      const [row] = await db
        .select({
          depth: count(),
          oldest: sql<number | string | null>`extract(epoch from now() - min(${t.createdAt}))`,
        })
        .from(t);
      return { depth: Number(row?.depth ?? 0), oldestAgeSeconds: Number(row?.oldest ?? 0) };
    },

    async countAbandoned(maxAttempts: number): Promise<number> {
      const [row] = await db.select({ n: count() }).from(t).where(gte(t.attempts, maxAttempts));
      return Number(row?.n ?? 0);
    },
  };
}

/** The outbox store {@link createOutbox} returns. @internal */
export type Outbox = ReturnType<typeof createOutbox>;
