import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/database.js';
import { withRls } from '../../src/rls/with-rls.js';
import {
  createTestDatabase,
  TEST_OWNER_ROLE,
  type TestDatabase,
} from '../../src/testing/database.js';
import { DATABASE_TARGETS } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';

// `createTestDatabase({ rls: true })` is what ORGKIT_TEST_RLS runs the whole suite on: if it
// quietly ran as a superuser or without the policies, that run would prove nothing.
describe.each(DATABASE_TARGETS)('createTestDatabase({ rls: true }) on $name', (target) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase({ url: target.url, rls: true });
    await test.db.execute(sql`
      INSERT INTO user_preferences (workos_user_id, preferences)
      VALUES ('user_1', '{}'::jsonb), ('user_2', '{}'::jsonb)`);
  });
  afterAll(() => test?.close());

  const one = async <T>(query: ReturnType<typeof sql>): Promise<T> =>
    rowsOf<T>(await test.db.execute(query))[0] as T;

  it('runs as the owner role: not a superuser, BYPASSRLS, owner of the tables', async () => {
    expect(test.role).toBe(TEST_OWNER_ROLE);
    const me = await one<{ role: string; superuser: boolean; bypass: boolean; owner: string }>(sql`
      SELECT current_user AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass,
             pg_catalog.pg_get_userbyid(c.relowner) AS owner
      FROM pg_catalog.pg_roles r, pg_catalog.pg_class c
      WHERE r.rolname = current_user AND c.oid = 'user_preferences'::regclass`);
    expect(me).toEqual({
      role: TEST_OWNER_ROLE,
      superuser: false,
      bypass: true,
      owner: TEST_OWNER_ROLE,
    });
  });

  it('has the default policies applied and forced', async () => {
    const table = await one<{ enabled: boolean; forced: boolean; policies: number }>(sql`
      SELECT c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
             (SELECT count(*)::int FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid) AS policies
      FROM pg_catalog.pg_class c WHERE c.oid = 'user_preferences'::regclass`);
    expect(table).toEqual({ enabled: true, forced: true, policies: 4 });
  });

  it('the owner sees every row; the request role through withRls sees only its own', async () => {
    const all = await one<{ n: number }>(sql`SELECT count(*)::int AS n FROM user_preferences`);
    expect(all.n).toBe(2);
    const seen = await withRls(test.db, sessionFor('user_2'), async (tx) =>
      rowsOf<{ id: string }>(
        await tx.execute(sql`SELECT workos_user_id AS id FROM user_preferences`),
      ),
    );
    expect(seen).toEqual([{ id: 'user_2' }]);
  });
});
