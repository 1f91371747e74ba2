import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RlsTarget } from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import {
  ACTORS,
  type ActorName,
  as,
  asAndRollBack,
  attempt,
  ORG_A,
  ORG_B,
  ORG_P,
  prepare,
  rows,
} from './support.js';
import {
  claimsOf,
  deletableKeys,
  KEY_COLUMN,
  type MatrixTable,
  seed,
  updatableKeys,
  visibleKeys,
  MATRIX_WORLD as W,
} from './world.js';

const ACTOR_NAMES: ActorName[] = [...(Object.keys(ACTORS) as (keyof typeof ACTORS)[]), 'noClaims'];
const TABLES = Object.keys(KEY_COLUMN) as MatrixTable[];
const WRITE_COLUMN: Record<MatrixTable, string> = {
  events: 'title',
  meetings: 'title',
  profiles: 'bio',
  user_preferences: 'preferences',
  expert_setup: 'setup_complete',
  payment_transfers: 'amount',
  users: 'email',
  organizations: 'name',
  user_org_memberships: 'role',
  audit_logs: 'action',
};
const INTERNAL = [
  'orgkit_sync_cursors',
  'orgkit_guest_provisioning',
  'orgkit_mirror_tombstones',
  'orgkit_audit_heads',
  'orgkit_audit_checkpoints',
  'orgkit_audit_outbox',
  'orgkit_token_revocations',
  'orgkit_session_refreshes',
  'orgkit_migrations',
];

const claims = (actor: ActorName) => (actor === 'noClaims' ? undefined : claimsOf(ACTORS[actor]));
const keysOf = (list: { k: string }[]) => list.map((r) => r.k).sort();

describe.each(DATABASE_TARGETS)('RLS matrix on $name', (database) => {
  describe.each<RlsTarget>(['postgres', 'neon', 'supabase'])('target %s', (target) => {
    let test: TestDatabase;
    beforeAll(async () => {
      // The postgres target runs as the owner role under ORGKIT_TEST_RLS; the Neon and Supabase
      // shims live in a server-wide `auth` schema that only the superuser may create and replace.
      test = await openTestDatabase(database, { plain: target !== 'postgres' });
      await prepare(test, target);
      await seed(test.db, W);
    });
    afterAll(() => test?.close());

    it('reads exactly what the hand-written expectations say', async () => {
      const read = (actor: ActorName, table: string) =>
        as(test.db, actor, (tx) =>
          rows<{ k: string }>(tx, sql.raw(`SELECT id AS k FROM ${table}`)),
        ).then(keysOf);
      expect(await read('guest', 'meetings')).toEqual(['m_A1', 'm_B1']);
      expect(await read('sameOrgMember', 'meetings')).toEqual(['m_A1', 'm_A2', 'm_B2']);
      expect(await read('otherOrg', 'events')).toEqual(['e_B1']);
      expect(await read('sameOrgMember', 'profiles')).toEqual(['p_a1']);
      expect(await read('noClaims', 'events')).toEqual([]);
      expect(await read('noOrganization', 'events')).toEqual([]);
    });

    it.each(ACTOR_NAMES)(
      '%s: SELECT returns exactly the allowed rows of every table',
      async (actor) => {
        for (const table of TABLES) {
          const got = await as(test.db, actor, (tx) =>
            rows<{ k: string }>(tx, sql.raw(`SELECT ${KEY_COLUMN[table]} AS k FROM ${table}`)),
          );
          expect({ table, keys: keysOf(got) }).toEqual({
            table,
            keys: visibleKeys(W, table, claims(actor)),
          });
        }
      },
    );

    it.each(ACTOR_NAMES)('%s: orgkit internal tables are out of reach', async (actor) => {
      for (const table of INTERNAL) {
        expect(
          await attempt(() =>
            as(test.db, actor, (tx) => tx.execute(sql.raw(`SELECT 1 FROM ${table}`))),
          ),
        ).toBe('denied');
      }
    });

    it.each(ACTOR_NAMES)('%s: UPDATE and DELETE touch exactly the allowed rows', async (actor) => {
      for (const table of TABLES) {
        const key = KEY_COLUMN[table];
        const column = WRITE_COLUMN[table];
        const update = () =>
          asAndRollBack(test.db, actor, (tx) =>
            rows<{ k: string }>(
              tx,
              sql.raw(
                `WITH u AS (UPDATE ${table} SET ${column} = ${column} RETURNING ${key}) SELECT ${key} AS k FROM u`,
              ),
            ),
          );
        const remove = () =>
          asAndRollBack(test.db, actor, (tx) =>
            rows<{ k: string }>(
              tx,
              sql.raw(
                `WITH d AS (DELETE FROM ${table} RETURNING ${key}) SELECT ${key} AS k FROM d`,
              ),
            ),
          );
        const canUpdate = updatableKeys(W, table, claims(actor));
        if (canUpdate === undefined)
          expect({ table, update: await attempt(update) }).toEqual({ table, update: 'denied' });
        else
          expect({ table, updated: keysOf(await update()) }).toEqual({ table, updated: canUpdate });
        const canDelete = deletableKeys(W, table, claims(actor));
        if (canDelete === undefined)
          expect({ table, remove: await attempt(remove) }).toEqual({ table, remove: 'denied' });
        else
          expect({ table, deleted: keysOf(await remove()) }).toEqual({ table, deleted: canDelete });
      }
    });

    it.each(ACTOR_NAMES)(
      '%s: INSERT passes WITH CHECK only in its own organization, as itself',
      async (actor) => {
        const c = claims(actor);
        const inOrg = (org: string) => (c?.org === org ? 'ok' : 'rls');
        const asUser = (user: string) => (c?.sub === user ? 'ok' : 'rls');
        const insert = (statement: string) =>
          attempt(() => asAndRollBack(test.db, actor, (tx) => tx.execute(sql.raw(statement))));
        for (const org of [ORG_A, ORG_B, ORG_P]) {
          expect({
            org,
            events: await insert(`INSERT INTO events (id, workos_org_id) VALUES ('new', '${org}')`),
          }).toEqual({ org, events: inOrg(org) });
          expect({
            org,
            meetings: await insert(
              `INSERT INTO meetings (id, expert_org_id) VALUES ('new', '${org}')`,
            ),
          }).toEqual({ org, meetings: inOrg(org) });
          expect({
            org,
            transfers: await insert(
              `INSERT INTO payment_transfers (id, workos_org_id) VALUES ('new', '${org}')`,
            ),
          }).toEqual({ org, transfers: inOrg(org) });
          for (const user of ['user_a1', 'user_b1']) {
            const expected = inOrg(org) === 'ok' && asUser(user) === 'ok' ? 'ok' : 'rls';
            expect({
              org,
              user,
              audit: await insert(
                `INSERT INTO audit_logs (action, workos_org_id, actor_workos_user_id) VALUES ('test.new', '${org}', '${user}')`,
              ),
            }).toEqual({ org, user, audit: expected });
          }
        }
        for (const user of ['user_a1', 'user_b1', 'user_g']) {
          expect({
            user,
            profiles: await insert(
              `INSERT INTO profiles (id, workos_user_id) VALUES ('new', '${user}')`,
            ),
          }).toEqual({ user, profiles: asUser(user) });
        }
        // Users without a row yet: the only refusal left is the policy's.
        for (const user of ['user_a2', 'user_g']) {
          expect({
            user,
            preferences: await insert(
              `INSERT INTO user_preferences (workos_user_id) VALUES ('${user}')`,
            ),
          }).toEqual({ user, preferences: asUser(user) });
        }
        for (const user of ['user_a2', 'user_b1']) {
          expect({
            user,
            setup: await insert(`INSERT INTO expert_setup (workos_user_id) VALUES ('${user}')`),
          }).toEqual({ user, setup: asUser(user) });
        }
        expect(
          await insert(`INSERT INTO organizations (workos_org_id, name) VALUES ('org_new', 'x')`),
        ).toBe('denied');
        expect(
          await insert(
            `INSERT INTO users (workos_user_id, email) VALUES ('user_new', 'x@example.com')`,
          ),
        ).toBe('denied');
      },
    );

    it('moving a row to another organization or user is refused by WITH CHECK', async () => {
      const write = (actor: ActorName, statement: string) =>
        attempt(() => asAndRollBack(test.db, actor, (tx) => tx.execute(sql.raw(statement))));
      expect(
        await write(
          'sameOrgMember',
          `UPDATE events SET workos_org_id = '${ORG_B}' WHERE id = 'e_A1'`,
        ),
      ).toBe('rls');
      expect(
        await write(
          'sameOrgAdmin',
          `UPDATE meetings SET expert_org_id = '${ORG_B}' WHERE id = 'm_A1'`,
        ),
      ).toBe('rls');
      expect(
        await write(
          'sameOrgMember',
          `UPDATE profiles SET workos_user_id = 'user_b1' WHERE id = 'p_a1'`,
        ),
      ).toBe('rls');
      // A guest reads the meeting but cannot change it: zero rows, not an error.
      const changed = await asAndRollBack(test.db, 'guest', (tx) =>
        rows(tx, sql.raw(`UPDATE meetings SET title = 'x' WHERE id = 'm_A1' RETURNING id`)),
      );
      expect(changed).toEqual([]);
    });

    it('audit rows cannot be updated or deleted, even in the reader organization', async () => {
      const write = (statement: string) =>
        attempt(() =>
          asAndRollBack(test.db, 'sameOrgAdmin', (tx) => tx.execute(sql.raw(statement))),
        );
      expect(await write(`UPDATE audit_logs SET action = 'x'`)).toBe('denied');
      expect(await write(`DELETE FROM audit_logs`)).toBe('denied');
      // An INSERT by the token's user in its organization goes through the chain trigger.
      const inserted = await as(test.db, 'sameOrgAdmin', async (tx) => {
        await tx.execute(
          sql.raw(
            `INSERT INTO audit_logs (action, workos_org_id, actor_workos_user_id) VALUES ('test.by_a2', '${ORG_A}', 'user_a2')`,
          ),
        );
        return rows<{ seq: string }>(
          tx,
          sql.raw(`SELECT seq::text AS seq FROM audit_logs WHERE action = 'test.by_a2'`),
        );
      });
      expect(inserted).toEqual([{ seq: '2' }]);
      await test.db.execute(sql.raw(`SELECT 1`));
    });
  });
});
