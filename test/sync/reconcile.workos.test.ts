import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { createFaultyFetch } from '../../src/testing/fault-fetch.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import {
  clinic,
  mirror,
  openSync,
  setupWorkOSEmulator,
  storedCursor,
  tables,
  wireEvents,
} from './support.js';

const env = setupWorkOSEmulator();

const dayAgo = () => new Date(Date.now() - 24 * 60 * 60 * 1000);

/** Rows WorkOS never had: a user, an organization and a membership joining them. */
async function addGhosts(db: OrgkitDatabase) {
  await db.insert(tables.users).values({
    workosUserId: 'user_ghost',
    email: 'ghost@example.com',
    workosUpdatedAt: dayAgo(),
  });
  await db.insert(tables.organizations).values({
    workosOrgId: 'org_ghost',
    name: 'Ghost Clinic',
    workosUpdatedAt: dayAgo(),
  });
  await db.insert(tables.userOrgMemberships).values({
    workosMembershipId: 'om_ghost',
    workosUserId: 'user_ghost',
    workosOrgId: 'org_ghost',
    role: 'admin',
    roles: ['admin'],
    status: 'active',
    workosUpdatedAt: dayAgo(),
  });
}

/** Moves the cursor row's last successful read `days` into the past. */
async function ageCursor(db: OrgkitDatabase, days: number) {
  const t = tables.syncCursors;
  await db.update(t).set({ updatedAt: sql`now() - make_interval(days => ${days}::int)` });
}

/** What a fresh mirror built from every event holds: the truth reconcile must reach. */
async function freshMirror(target: { url: string | undefined }) {
  const fresh = await openTestDatabase(target);
  try {
    await openSync(fresh.db, env.workos).syncWorkOSEvents();
    return await mirror(fresh.db);
  } finally {
    await fresh.close();
  }
}

const zero = { upserted: 0, removed: 0, unchanged: 0, skipped: 0 };

describe.each(DATABASE_TARGETS)('reconcileWorkOSMirror on $name', (target) => {
  it('repairs missing, extra and stale rows, reports it, and a second run changes nothing', async () => {
    const t = await openTestDatabase(target);
    try {
      const { ada, org, boMembership } = await clinic(env.workos);
      const sync = openSync(t.db, env.workos);
      await sync.syncWorkOSEvents();
      // Drift: a membership lost, ghosts added, two rows stale, a user WorkOS has but never sent.
      const m = tables.userOrgMemberships;
      await t.db.delete(m).where(eq(m.workosMembershipId, boMembership.id));
      await addGhosts(t.db);
      const old = new Date('2000-01-01T00:00:00Z');
      await t.db
        .update(tables.users)
        .set({ firstName: 'Stale', workosUpdatedAt: old })
        .where(eq(tables.users.workosUserId, ada.id));
      await t.db
        .update(tables.organizations)
        .set({ name: 'Stale Clinic', workosUpdatedAt: old })
        .where(eq(tables.organizations.workosOrgId, org.id));
      await t.db.delete(tables.syncCursors);
      const cy = await env.workos.userManagement.createUser({ email: 'cy@example.com' });
      sync.invalidated.length = 0;

      const report = await sync.reconcileWorkOSMirror({ limit: 1 });

      const events = await wireEvents(env.emulator);
      expect(report).toEqual({
        users: { upserted: 2, removed: 1, unchanged: 1, skipped: 0 },
        organizations: { upserted: 1, removed: 1, unchanged: 0, skipped: 0 },
        memberships: { upserted: 1, removed: 1, unchanged: 1, skipped: 0 },
        cursor: events.at(-1)!.id,
      });
      expect(await storedCursor(t.db)).toBe(report.cursor);
      expect(await mirror(t.db)).toEqual(await freshMirror(target));
      expect(new Set(sync.invalidated)).toEqual(
        new Set([ada.id, cy.id, 'user_ghost', boMembership.userId]),
      );
      const tombstones = await t.db
        .select({ kind: tables.mirrorTombstones.kind, id: tables.mirrorTombstones.workosId })
        .from(tables.mirrorTombstones);
      expect(tombstones).toEqual(
        expect.arrayContaining([
          { kind: 'user', id: 'user_ghost' },
          { kind: 'organization', id: 'org_ghost' },
          { kind: 'membership', id: 'om_ghost' },
        ]),
      );

      const before = await mirror(t.db);
      sync.invalidated.length = 0;
      expect(await sync.reconcileWorkOSMirror()).toEqual({
        users: { ...zero, unchanged: 3 },
        organizations: { ...zero, unchanged: 1 },
        memberships: { ...zero, unchanged: 2 },
        cursor: report.cursor,
      });
      expect(await mirror(t.db)).toEqual(before);
      expect(sync.invalidated).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('after a reconcile, new events sync from the stored cursor without replaying older ones', async () => {
    const t = await openTestDatabase(target);
    try {
      const { ada } = await clinic(env.workos);
      const sync = openSync(t.db, env.workos);
      await sync.reconcileWorkOSMirror();
      expect(await sync.syncWorkOSEvents()).toMatchObject({ applied: 0, ignored: 0 });
      await env.workos.userManagement.updateUser({ userId: ada.id, firstName: 'Adeline' });
      const result = await sync.syncWorkOSEvents();
      expect(result).toMatchObject({ applied: 1, ignored: 0 });
      expect(await mirror(t.db)).toEqual(await freshMirror(target));
    } finally {
      await t.close();
    }
  });

  it('through createOrgkit, reconciles an empty mirror', async () => {
    const t = await openTestDatabase(target);
    try {
      await clinic(env.workos);
      const orgkit = createOrgkit({ database: t.db, workos: env.workos });
      const report = await orgkit.reconcileWorkOSMirror();
      expect(report.users).toEqual({ ...zero, upserted: 2 });
      expect(report.organizations).toEqual({ ...zero, upserted: 1 });
      expect(report.memberships).toEqual({ ...zero, upserted: 2 });
      expect(await mirror(t.db)).toEqual(await freshMirror(target));
    } finally {
      await t.close();
    }
  });

  it('retries a list call that failed with a server error', async () => {
    const t = await openTestDatabase(target);
    try {
      await clinic(env.workos);
      const fetchFn = createFaultyFetch({
        faults: { fault: 'server_error', calls: [1], path: '/user_management/users' },
      });
      const workos = env.emulator.createClient({ fetchFn, maxRetries: 0 });
      const report = await openSync(t.db, workos).reconcileWorkOSMirror();
      expect(report.users.upserted).toBe(2);
      expect(fetchFn.faults.server_error).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('rejects bad options and a missing WorkOS client, changing nothing', async () => {
    const t = await openTestDatabase(target);
    try {
      const sync = openSync(t.db, env.workos);
      await expect(sync.reconcileWorkOSMirror({ limit: 0 })).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(sync.reconcileWorkOSMirror({ pageSize: 5 } as never)).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(openSync(t.db, undefined).reconcileWorkOSMirror()).rejects.toMatchObject({
        code: 'invalid_config',
      });
      expect(await storedCursor(t.db)).toBeUndefined();
      expect(await mirror(t.db)).toEqual({ users: [], organizations: [], memberships: [] });
    } finally {
      await t.close();
    }
  });
});

describe.each(DATABASE_TARGETS)('an expired Events API cursor on $name', (target) => {
  it('is detected from the age of the last full read, and a reconcile lets sync resume', async () => {
    const t = await openTestDatabase(target);
    try {
      await clinic(env.workos);
      const sync = openSync(t.db, env.workos);
      await sync.syncWorkOSEvents();
      const before = await mirror(t.db);
      await ageCursor(t.db, 31);
      await expect(sync.syncWorkOSEvents()).rejects.toMatchObject({
        code: 'conflict',
        reason: 'cursor_expired',
      });
      expect(await mirror(t.db)).toEqual(before);

      await sync.reconcileWorkOSMirror();
      const bo = await env.workos.userManagement.createUser({ email: 'dee@example.com' });
      expect(await sync.syncWorkOSEvents()).toMatchObject({ applied: 1, ignored: 0 });
      expect((await mirror(t.db)).users.map((u) => u.id)).toContain(bo.id);
    } finally {
      await t.close();
    }
  });

  it('is not expired while syncs keep reading to the end, even when no event arrives', async () => {
    const t = await openTestDatabase(target);
    try {
      await clinic(env.workos);
      const sync = openSync(t.db, env.workos);
      const first = await sync.syncWorkOSEvents();
      await ageCursor(t.db, 29);
      // A quiet month: the cursor does not move, but the read to the end is recorded.
      expect(await sync.syncWorkOSEvents()).toMatchObject({ applied: 0, cursor: first.cursor });
      const [row] = await t.db
        .select({ fresh: sql<boolean>`${tables.syncCursors.updatedAt} > now() - interval '1 day'` })
        .from(tables.syncCursors);
      expect(row?.fresh).toBe(true);
      await expect(sync.syncWorkOSEvents()).resolves.toMatchObject({ cursor: first.cursor });
    } finally {
      await t.close();
    }
  });

  it('is detected when WorkOS refuses the cursor', async () => {
    const t = await openTestDatabase(target);
    try {
      await clinic(env.workos);
      await openSync(t.db, env.workos).syncWorkOSEvents();
      // WorkOS answers a cursor past its retention with a 4xx; only requests with one fail here.
      const refusing = (async (input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.pathname === '/events' && url.searchParams.has('after')) {
          return new Response(JSON.stringify({ message: 'Invalid cursor' }), {
            status: 400,
            headers: { 'content-type': 'application/json' },
          });
        }
        return fetch(input, init);
      }) as typeof fetch;
      const workos = env.emulator.createClient({ fetchFn: refusing, maxRetries: 0 });
      await expect(openSync(t.db, workos).syncWorkOSEvents()).rejects.toMatchObject({
        code: 'conflict',
        reason: 'cursor_expired',
      });
    } finally {
      await t.close();
    }
  });
});
