import { and, eq, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';

/** A guest's provisioning record, with the database's view of time. @internal */
export interface ClaimRow {
  email: string;
  workosUserId: string | null;
  workosOrgId: string | null;
  workosMembershipId: string | null;
  userCreated: boolean;
  completed: boolean;
  /** A magic-auth code went out within the configured window. */
  magicAuthFresh: boolean;
  /** Someone holds an unexpired lease. */
  leased: boolean;
}

/** The ids and flags a provisioning step records. @internal */
export type ClaimProgress = Partial<
  Pick<ClaimRow, 'workosUserId' | 'workosOrgId' | 'workosMembershipId' | 'userCreated'>
>;

// Every time comparison uses the database clock, so processes with skewed clocks agree on who
// holds a lease and whether a code is fresh.
const ms = (value: number) => sql`(${value}::double precision * interval '1 millisecond')`;

/**
 * The claim rows of one provisioner: read, lease, record progress, release. A lease is held by a
 * random token; every write names it, so a holder whose lease expired and was taken over can no
 * longer write.
 * @internal
 */
export function createClaims(db: OrgkitDatabase, tables: OrgkitTables, magicAuthWindowMs: number) {
  const t = tables.guestProvisioning;
  const columns = {
    email: t.email,
    workosUserId: t.workosUserId,
    workosOrgId: t.workosOrgId,
    workosMembershipId: t.workosMembershipId,
    userCreated: t.userCreated,
    completed: sql<boolean>`(${t.completedAt} is not null)`,
    magicAuthFresh: sql<boolean>`coalesce(${t.magicAuthSentAt} > now() - ${ms(magicAuthWindowMs)}, false)`,
    leased: sql<boolean>`coalesce(${t.leaseExpiresAt} > now(), false)`,
  };
  const mine = (email: string, token: string) => and(eq(t.email, email), eq(t.leaseToken, token));

  return {
    async read(email: string): Promise<ClaimRow | undefined> {
      const [row] = await db.select(columns).from(t).where(eq(t.email, email));
      return row;
    },

    /** Takes the lease unless someone holds an unexpired one; the row as it then stands. */
    async acquire(email: string, token: string, leaseMs: number): Promise<ClaimRow | undefined> {
      const [row] = await db
        .insert(t)
        .values({
          email,
          leaseToken: token,
          leaseExpiresAt: sql`now() + ${ms(leaseMs)}`,
          attempts: 1,
        })
        .onConflictDoUpdate({
          target: t.email,
          set: {
            leaseToken: token,
            leaseExpiresAt: sql`now() + ${ms(leaseMs)}`,
            attempts: sql`${t.attempts} + 1`,
            updatedAt: sql`now()`,
          },
          setWhere: sql`${t.leaseToken} is null or ${t.leaseExpiresAt} <= now()`,
        })
        .returning(columns);
      return row;
    },

    /** Records progress and extends the lease by `leaseMs`; false when the lease was lost. */
    async save(
      email: string,
      token: string,
      leaseMs: number,
      progress: ClaimProgress = {},
    ): Promise<boolean> {
      const rows = await db
        .update(t)
        .set({
          ...progress,
          leaseExpiresAt: sql`now() + ${ms(leaseMs)}`,
          updatedAt: sql`now()`,
        })
        .where(mine(email, token))
        .returning({ email: t.email });
      return rows.length > 0;
    },

    /**
     * Ends the lease; marks the guest complete (recording a code just sent), or records why this
     * attempt failed. `onFirstCompletion` runs in the same transaction when this release is the
     * one that completes the guest, so what it writes commits with the completion or not at all.
     * False when the lease was lost (nothing written).
     */
    async release(
      email: string,
      token: string,
      outcome: { failed: string } | { magicAuthSent: boolean },
      onFirstCompletion?: (tx: OrgkitDatabase) => Promise<void>,
    ): Promise<boolean> {
      const failed = 'failed' in outcome ? outcome.failed : null;
      return db.transaction(async (tx) => {
        const [held] = await tx
          .select({ completed: columns.completed })
          .from(t)
          .where(mine(email, token))
          .for('update');
        if (!held) return false;
        await tx
          .update(t)
          .set({
            leaseToken: null,
            leaseExpiresAt: null,
            lastError: failed,
            ...(failed ? {} : { completedAt: sql`coalesce(${t.completedAt}, now())` }),
            ...('magicAuthSent' in outcome && outcome.magicAuthSent
              ? { magicAuthSentAt: sql`now()` }
              : {}),
            updatedAt: sql`now()`,
          })
          .where(mine(email, token));
        if (!failed && !held.completed) await onFirstCompletion?.(tx);
        return true;
      });
    },
  };
}

/** The claim store {@link createClaims} returns. @internal */
export type Claims = ReturnType<typeof createClaims>;
