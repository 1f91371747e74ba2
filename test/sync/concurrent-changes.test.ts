import { eq, sql } from 'drizzle-orm';
import { TransactionRollbackError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { type OrgkitDatabase, rowsOf } from '../../src/db/database.js';
import { applyChange, applyChanges } from '../../src/sync/apply-change.js';
import type { MirrorChange } from '../../src/sync/mirror-event.js';
import { objectLockKey, objectsOf } from '../../src/sync/object-locks.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { tables } from './support.js';

// A delete and an older upsert of one object, in two transactions on two connections, with the
// interleaving that used to bring the row back forced by locks the test holds. PGlite has one
// connection and runs one transaction at a time, so these orders can only be forced on a real
// server; the lock itself is checked on every target below.

const CREATED = new Date('2026-01-01T00:00:00.000Z');
const UPDATED = new Date('2026-01-02T00:00:00.000Z'); // the late upsert: older than the delete
const DELETED = new Date('2026-01-03T00:00:00.000Z');

const USER = 'user_01RACE';
const ORG = 'org_01RACE';
const MEMBERSHIP = 'om_01RACE';

const userUpsert = (at: Date): MirrorChange => ({
  kind: 'user',
  op: 'upsert',
  data: { id: USER, email: 'race@example.com', firstName: null, lastName: null, updatedAt: at },
});
const orgUpsert = (at: Date): MirrorChange => ({
  kind: 'organization',
  op: 'upsert',
  data: { id: ORG, name: 'Race Clinic', externalId: null, updatedAt: at },
});
const membershipUpsert = (at: Date): MirrorChange => ({
  kind: 'membership',
  op: 'upsert',
  data: {
    id: MEMBERSHIP,
    userId: USER,
    organizationId: ORG,
    status: 'active',
    role: 'admin',
    roles: ['admin'],
    updatedAt: at,
  },
});
const deletion = (kind: Exclude<MirrorChange['kind'], 'session'>, id: string): MirrorChange => ({
  kind,
  op: 'delete',
  data: { id, updatedAt: DELETED },
});

/** One delete racing one older upsert, and how to hold the upsert's own row open. */
interface Race {
  name: string;
  upsert: MirrorChange;
  delete: MirrorChange;
  /** Inserts, uncommitted, the row the upsert will write: its insert waits on it. */
  holdRow(tx: OrgkitDatabase): Promise<unknown>;
  /** Whether the upserted row is in the mirror. */
  present(db: OrgkitDatabase): Promise<boolean>;
}

const userRow = (db: OrgkitDatabase) =>
  db.select().from(tables.users).where(eq(tables.users.workosUserId, USER));
const membershipRow = (db: OrgkitDatabase) =>
  db
    .select()
    .from(tables.userOrgMemberships)
    .where(eq(tables.userOrgMemberships.workosMembershipId, MEMBERSHIP));
const holdMembership = (tx: OrgkitDatabase) =>
  tx.insert(tables.userOrgMemberships).values({
    workosMembershipId: MEMBERSHIP,
    workosUserId: USER,
    workosOrgId: ORG,
    role: 'member',
    roles: ['member'],
    status: 'active',
    workosUpdatedAt: CREATED,
  });

const RACES: Race[] = [
  {
    name: 'user.deleted vs an older user.updated',
    upsert: userUpsert(UPDATED),
    delete: deletion('user', USER),
    holdRow: (tx) =>
      tx
        .insert(tables.users)
        .values({ workosUserId: USER, email: 'held@example.com', workosUpdatedAt: CREATED }),
    present: async (db) => (await userRow(db)).length > 0,
  },
  {
    name: 'organization_membership.deleted vs an older membership update',
    upsert: membershipUpsert(UPDATED),
    delete: deletion('membership', MEMBERSHIP),
    holdRow: holdMembership,
    present: async (db) => (await membershipRow(db)).length > 0,
  },
  {
    name: "user.deleted vs an upsert of the user's membership",
    upsert: membershipUpsert(UPDATED),
    delete: deletion('user', USER),
    holdRow: holdMembership,
    present: async (db) => (await membershipRow(db)).length > 0,
  },
  {
    name: 'organization.deleted vs an upsert of a membership in it',
    upsert: membershipUpsert(UPDATED),
    delete: deletion('organization', ORG),
    holdRow: holdMembership,
    present: async (db) => (await membershipRow(db)).length > 0,
  },
];

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

async function backendPid(tx: OrgkitDatabase): Promise<number> {
  const [row] = rowsOf<{ pid: number }>(await tx.execute(sql`SELECT pg_backend_pid() AS pid`));
  return Number(row!.pid);
}

/** Whether the backend `pid` is waiting for a lock (row, transaction or advisory). */
async function waitsOnLock(db: OrgkitDatabase, pid: number | undefined): Promise<boolean> {
  if (pid === undefined) return false;
  const rows = rowsOf<{ wait: string | null }>(
    await db.execute(sql`SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = ${pid}`),
  );
  return rows[0]?.wait === 'Lock';
}

async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting until ${what}`);
}

/** Runs `work` in its own transaction, exposing its backend pid and whether it has finished. */
function inTransaction<T>(
  db: OrgkitDatabase,
  work: (tx: OrgkitDatabase) => Promise<T>,
): { pid: () => number | undefined; done: () => boolean; result: Promise<T> } {
  let pid: number | undefined;
  let done = false;
  const result = db
    .transaction(async (tx) => {
      pid = await backendPid(tx);
      return work(tx);
    })
    .finally(() => {
      done = true;
    });
  return { pid: () => pid, done: () => done, result };
}

const tombstoneOf = async (db: OrgkitDatabase, change: MirrorChange) =>
  db
    .select()
    .from(tables.mirrorTombstones)
    .where(eq(tables.mirrorTombstones.workosId, change.data.id));

const seedOwners = (db: OrgkitDatabase) =>
  db.transaction((tx) => applyChanges(tx, tables, [userUpsert(CREATED), orgUpsert(CREATED)]));

describe.each(DATABASE_TARGETS.filter((t) => t.name === 'postgres'))(
  'a delete and an older upsert of one object in concurrent transactions ($name)',
  (target) => {
    it.each(RACES)(
      'upsert checked first, delete committed before its write: $name → the row stays deleted',
      async (race) => {
        const t = await openTestDatabase(target, { maxConnections: 6 });
        try {
          await seedOwners(t.db);
          if (race.upsert.kind === 'user') {
            await t.db.delete(tables.users).where(eq(tables.users.workosUserId, USER));
          }
          // A third transaction's uncommitted insert of the same key makes the upsert's own
          // insert wait: the upsert has made its tombstone check and waits to write.
          const held = gate();
          const release = gate();
          const holder = t.db
            .transaction(async (tx) => {
              await race.holdRow(tx);
              held.open();
              await release.opened;
              tx.rollback();
            })
            .catch((error: unknown) => {
              if (!(error instanceof TransactionRollbackError)) throw error;
            });
          await held.opened;
          const upsert = inTransaction(t.db, (tx) => applyChange(tx, tables, race.upsert));
          await until('the upsert waits to write', () => waitsOnLock(t.db, upsert.pid()));
          // The delete now runs to its end, or waits for the upsert's object lock.
          const del = inTransaction(t.db, (tx) => applyChange(tx, tables, race.delete));
          await until(
            'the delete committed or waits',
            async () => del.done() || (await waitsOnLock(t.db, del.pid())),
          );
          release.open();
          const [, upserted, deleted] = await Promise.all([holder, upsert.result, del.result]);
          expect(await race.present(t.db)).toBe(false);
          // Serialised: the upsert wrote its row, then the delete removed it.
          expect(upserted.applied).toBe(true);
          expect(deleted.applied).toBe(true);
          expect(await tombstoneOf(t.db, race.delete)).toHaveLength(1);
        } finally {
          await t.close();
        }
      },
    );

    it.each(RACES)(
      'delete first, paused before its commit; the upsert arrives: $name → the row stays deleted',
      async (race) => {
        const t = await openTestDatabase(target, { maxConnections: 6 });
        try {
          await seedOwners(t.db);
          await t.db.transaction((tx) =>
            applyChange(tx, tables, {
              ...race.upsert,
              data: { ...race.upsert.data, updatedAt: CREATED },
            } as MirrorChange),
          );
          expect(await race.present(t.db)).toBe(true);
          const deleted = gate();
          const release = gate();
          const del = inTransaction(t.db, async (tx) => {
            const outcome = await applyChange(tx, tables, race.delete);
            deleted.open();
            await release.opened;
            return outcome;
          });
          await deleted.opened;
          const upsert = inTransaction(t.db, (tx) => applyChange(tx, tables, race.upsert));
          await until('the upsert waits', () => waitsOnLock(t.db, upsert.pid()));
          release.open();
          const [removed, upserted] = await Promise.all([del.result, upsert.result]);
          expect(await race.present(t.db)).toBe(false);
          expect(removed.applied).toBe(true);
          expect(upserted.applied).toBe(false);
          expect(await tombstoneOf(t.db, race.delete)).toHaveLength(1);
        } finally {
          await t.close();
        }
      },
    );
  },
);

describe.each(DATABASE_TARGETS.filter((t) => t.name === 'postgres'))(
  'deletes whose memberships overlap ($name)',
  (target) => {
    it('a page deleting three organizations and a webhook deleting a member of all three lock the shared rows in one order', async () => {
      const t = await openTestDatabase(target, { maxConnections: 6 });
      try {
        const orgIds = ['org_01A', 'org_01B', 'org_01C'];
        const membershipOf = (org: string): MirrorChange =>
          ({
            ...membershipUpsert(CREATED),
            data: {
              ...(membershipUpsert(CREATED).data as object),
              id: `om_${org}`,
              organizationId: org,
            },
          }) as MirrorChange;
        // The user's memberships are stored last organization first, so deleting the user
        // meets them in the opposite order to the page's deletes.
        await t.db.transaction((tx) =>
          applyChanges(tx, tables, [
            userUpsert(CREATED),
            ...[...orgIds].reverse().map(membershipOf),
          ]),
        );
        // Holding the middle organization's membership stops the page half-way, having
        // deleted the first organization's.
        const held = gate();
        const release = gate();
        const holder = t.db.transaction(async (tx) => {
          await tx
            .select()
            .from(tables.userOrgMemberships)
            .where(eq(tables.userOrgMemberships.workosMembershipId, 'om_org_01B'))
            .for('update');
          held.open();
          await release.opened;
        });
        await held.opened;
        const page = inTransaction(t.db, (tx) =>
          applyChanges(
            tx,
            tables,
            orgIds.map((id) => deletion('organization', id)),
          ),
        );
        await until('the page waits', () => waitsOnLock(t.db, page.pid()));
        const webhook = inTransaction(t.db, (tx) =>
          applyChange(tx, tables, deletion('user', USER)),
        );
        await until('the webhook waits', () => waitsOnLock(t.db, webhook.pid()));
        release.open();
        const settled = await Promise.allSettled([holder, page.result, webhook.result]);
        expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
        expect(await t.db.select().from(tables.userOrgMemberships)).toEqual([]);
        const recorded = await t.db.select().from(tables.mirrorTombstones);
        expect(recorded.map((r) => r.workosId).sort()).toEqual([...orgIds, USER].sort());
      } finally {
        await t.close();
      }
    });
  },
);

describe.each(DATABASE_TARGETS)('mirror object locks ($name)', (target) => {
  it('a transaction holds one advisory lock per object its changes touch, until it ends', async () => {
    const t = await openTestDatabase(target);
    try {
      const changes = [
        membershipUpsert(UPDATED),
        userUpsert(UPDATED),
        deletion('organization', ORG),
      ];
      const expected = [...new Set(changes.flatMap(objectsOf).map(objectLockKey))]
        // pg_locks shows the key as an unsigned oid.
        .map((key) => key >>> 0)
        .sort((a, b) => a - b);
      expect(expected).toHaveLength(3); // the membership, its user and its organization
      const heldLocks = async (db: OrgkitDatabase, by: 'this session' | 'anyone') =>
        rowsOf<{ key: string }>(
          await db.execute(sql`
            SELECT objid::bigint AS key FROM pg_locks
            WHERE locktype = 'advisory' AND classid = ${0x6f6d6972}::oid AND objsubid = 2
              AND objid::bigint = ANY(${`{${expected.join(',')}}`}::bigint[])
              AND (${by} = 'anyone' OR pid = pg_backend_pid())
            ORDER BY 1`),
        ).map((r) => Number(r.key));
      const during = await t.db.transaction(async (tx) => {
        await applyChanges(tx, tables, changes);
        return heldLocks(tx, 'this session');
      });
      expect(during).toEqual(expected);
      expect(await heldLocks(t.db, 'anyone')).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
