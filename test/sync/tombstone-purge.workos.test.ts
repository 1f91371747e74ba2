import { asc, count, inArray, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { mirror, openSync, setupWorkOSEmulator, storedCursor, tables } from './support.js';

const env = setupWorkOSEmulator();
const t = tables.mirrorTombstones;

/** Tombstones as the sync records them, `deleted_at` a year back (a long-unchanged object). */
async function tombstones(db: OrgkitDatabase, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await db.insert(t).values(
    ids.map((workosId) => ({
      kind: 'user' as const,
      workosId,
      deletedAt: sql`now() - interval '1 year'`,
    })),
  );
}

/** Moves the recording time of these tombstones `hours` into the past. */
async function age(db: OrgkitDatabase, ids: readonly string[], hours: number): Promise<void> {
  await db
    .update(t)
    .set({ createdAt: sql`${t.createdAt} - make_interval(hours => ${hours}::int)` })
    .where(inArray(t.workosId, [...ids]));
}

async function remaining(db: OrgkitDatabase): Promise<string[]> {
  const rows = await db.select({ id: t.workosId }).from(t).orderBy(asc(t.workosId));
  return rows.map((r) => r.id);
}

describe.each(DATABASE_TARGETS)('syncWorkOSEvents purges old tombstones ($name)', (target) => {
  it('removes tombstones recorded more than 30 days ago, keeps younger ones, however old the deletion', async () => {
    const db = await openTestDatabase(target);
    try {
      const sync = openSync(db.db, env.workos);
      await tombstones(db.db, ['user_fresh', 'user_29d', 'user_31d', 'user_400d']);
      await age(db.db, ['user_29d'], 29 * 24);
      await age(db.db, ['user_31d'], 31 * 24);
      await age(db.db, ['user_400d'], 400 * 24);
      const result = await sync.syncWorkOSEvents();
      expect(result.tombstonesPurged).toBe(2);
      expect(await remaining(db.db)).toEqual(['user_29d', 'user_fresh']);
      // Nothing left to purge: a second sync removes none.
      expect((await sync.syncWorkOSEvents()).tombstonesPurged).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('keeps a tombstone for the configured window; older ones go (property)', async () => {
    const db = await openTestDatabase(target);
    try {
      const sync = openSync(db.db, env.workos);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 30, max: 400 }),
          // Ages in whole days plus half a day, so none sits on the window's edge.
          fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 12 }),
          async (windowDays, ages) => {
            await db.db.delete(t);
            const ids = ages.map((_, i) => `user_${String(i).padStart(2, '0')}`);
            await tombstones(db.db, ids);
            for (const [i, days] of ages.entries()) await age(db.db, [ids[i]!], days * 24 + 12);
            const kept = ids.filter((_, i) => ages[i]! < windowDays);
            const result = await sync.syncWorkOSEvents({ tombstoneRetentionDays: windowDays });
            expect(result.tombstonesPurged).toBe(ids.length - kept.length);
            expect(await remaining(db.db)).toEqual(kept);
          },
        ),
        { numRuns: 15 },
      );
    } finally {
      await db.close();
    }
  });

  it('purges at most 1,000 a sync; the next sync takes the rest', async () => {
    const db = await openTestDatabase(target);
    try {
      const sync = openSync(db.db, env.workos);
      const ids = Array.from({ length: 1_005 }, (_, i) => `user_${i}`);
      await tombstones(db.db, ids);
      await age(db.db, ids, 31 * 24);
      expect((await sync.syncWorkOSEvents()).tombstonesPurged).toBe(1_000);
      expect(await remaining(db.db)).toHaveLength(5);
      expect((await sync.syncWorkOSEvents()).tombstonesPurged).toBe(5);
      expect(await remaining(db.db)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('refuses a window shorter than the Events retention, or malformed, and changes nothing', async () => {
    const db = await openTestDatabase(target);
    try {
      const sync = openSync(db.db, env.workos);
      await env.workos.userManagement.createUser({ email: 'ada@example.com' });
      await tombstones(db.db, ['user_old']);
      await age(db.db, ['user_old'], 400 * 24);
      const bad: unknown[] = [29, 0, -30, 30.5, 36_501, '30', null, Number.NaN];
      for (const tombstoneRetentionDays of bad) {
        await expect(
          sync.syncWorkOSEvents({ tombstoneRetentionDays } as never),
          String(tombstoneRetentionDays),
        ).rejects.toMatchObject({
          code: 'invalid_input',
          message: expect.stringContaining('tombstoneRetentionDays'),
        });
      }
      expect(await remaining(db.db)).toEqual(['user_old']);
      expect(await storedCursor(db.db)).toBeUndefined();
      expect(await mirror(db.db)).toEqual({ users: [], organizations: [], memberships: [] });
      const [{ n }] = (await db.db.select({ n: count() }).from(tables.auditLogs)) as [
        { n: number },
      ];
      expect(Number(n)).toBe(0);
    } finally {
      await db.close();
    }
  });
});
