import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClerkIdMapEntry, rewriteClerkAppData } from '../../../src/migrate/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../../support/databases.js';
import { createSeedAppTables, SEED_APP_CONFIG, tableRows } from './support.js';

const RUNS = Number(process.env.ORGKIT_PROPERTY_RUNS ?? 40);
const ORGS = ['org_01A', 'org_01B', 'org_01C'];

/** A map of up to 8 users (several may share an organization) and rows naming them, or not. */
const scenario = fc
  .record({
    users: fc.integer({ min: 0, max: 8 }),
    orgOf: fc.array(fc.constantFrom(...ORGS), { minLength: 8, maxLength: 8 }),
    batchSize: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ users, orgOf, batchSize }) => {
    const map: ClerkIdMapEntry[] = Array.from({ length: users }, (_, i) => ({
      clerkUserId: `user_2c${i}`,
      workosUserId: `user_01W${i}`,
      organizationId: orgOf[i]!,
    }));
    // Mapped Clerk ids, unmapped ones, NULL, and WorkOS ids of mapped users (rows written after cut-over).
    const userRef = fc.oneof(
      ...(users ? [fc.integer({ min: 0, max: users - 1 }).map((i) => `user_2c${i}`)] : []),
      ...(users ? [fc.integer({ min: 0, max: users - 1 }).map((i) => `user_01W${i}`)] : []),
      fc.integer({ min: 0, max: 9 }).map((k) => `user_2x${k}`),
      fc.constant(null),
    );
    const org = fc.option(fc.constantFrom(...ORGS), { nil: null });
    return fc.record({
      map: fc.constant(map),
      batchSize: fc.constant(batchSize),
      events: fc.array(fc.record({ c: userRef, o: org }), { maxLength: 12 }),
      meetings: fc.array(fc.record({ c: userRef, w: userRef, o: org }), { maxLength: 12 }),
    });
  });

describe.each(DATABASE_TARGETS)('rewriteClerkAppData properties on $name', (target) => {
  it('every mapped row is rewritten exactly, unmapped ones are reported untouched, a re-run is a no-op', async () => {
    const { db, close } = await openTestDatabase(target);
    try {
      await createSeedAppTables(db);
      await fc.assert(
        fc.asyncProperty(scenario, async ({ map, batchSize, events, meetings }) => {
          await db.execute(sql`TRUNCATE meetings, events, schedules RESTART IDENTITY`);
          for (const e of events) {
            await db.execute(
              sql`INSERT INTO events (clerk_user_id, org_id, title) VALUES (${e.c}, ${e.o}, 't')`,
            );
          }
          for (const m of meetings) {
            await db.execute(
              sql`INSERT INTO meetings (clerk_user_id, workos_user_id, org_id) VALUES (${m.c}, ${m.w}, ${m.o})`,
            );
          }
          const byClerk = new Map(map.map((e) => [e.clerkUserId, e]));
          const byWorkos = new Map(map.map((e) => [e.workosUserId, e]));

          // In place: a Clerk id becomes the WorkOS id; a WorkOS id only gets its organization.
          const expectedEvents = events.map((e) => {
            const entry = (e.c && byClerk.get(e.c)) || (e.c && byWorkos.get(e.c)) || undefined;
            return entry ? { c: entry.workosUserId, o: entry.organizationId } : e;
          });
          // A separate column: the Clerk id stays; the WorkOS id comes from it, or the row's
          // own WorkOS id gives the organization.
          const expectedMeetings = meetings.map((m) => {
            const fromClerk = m.c ? byClerk.get(m.c) : undefined;
            if (fromClerk)
              return { c: m.c, w: fromClerk.workosUserId, o: fromClerk.organizationId };
            const fromWorkos = m.w ? byWorkos.get(m.w) : undefined;
            return fromWorkos ? { ...m, o: fromWorkos.organizationId } : m;
          });
          const changed = (a: object[], b: object[]) =>
            a.filter((row, i) => JSON.stringify(row) !== JSON.stringify(b[i])).length;
          const unknown = (ids: (string | null)[], known: (id: string) => boolean) => {
            const left = ids.filter((id): id is string => id !== null && !known(id));
            return { rows: left.length, sampleIds: [...new Set(left)].sort().slice(0, 10) };
          };

          const result = await rewriteClerkAppData({
            database: db,
            config: { ...SEED_APP_CONFIG, batchSize },
            idMap: map,
          });
          const [ev, , mt] = result.tables;
          expect(ev).toMatchObject({
            rowsRewritten: changed(events, expectedEvents),
            unmapped: unknown(
              events.map((e) => e.c),
              (id) => byClerk.has(id) || byWorkos.has(id),
            ),
          });
          expect(mt).toMatchObject({
            rowsRewritten: changed(meetings, expectedMeetings),
            unmapped: unknown(
              meetings.map((m) => m.c),
              (id) => byClerk.has(id),
            ),
          });
          expect(ev!.batches).toBeGreaterThanOrEqual(Math.ceil(ev!.rowsRewritten / batchSize));
          expect(
            (await tableRows(db, 'events')).map((r) => ({ c: r.clerk_user_id, o: r.org_id })),
          ).toEqual(expectedEvents);
          expect(
            (await tableRows(db, 'meetings')).map((r) => ({
              c: r.clerk_user_id,
              w: r.workos_user_id,
              o: r.org_id,
            })),
          ).toEqual(expectedMeetings);

          const before = [await tableRows(db, 'events'), await tableRows(db, 'meetings')];
          const again = await rewriteClerkAppData({
            database: db,
            config: SEED_APP_CONFIG,
            idMap: map,
          });
          expect(again.tables.map((t) => t.rowsRewritten + t.batches)).toEqual([0, 0, 0]);
          expect(again.tables.map((t) => t.unmapped)).toEqual(result.tables.map((t) => t.unmapped));
          expect([await tableRows(db, 'events'), await tableRows(db, 'meetings')]).toEqual(before);
        }),
        { numRuns: RUNS },
      );
    } finally {
      await close();
    }
  });
});
