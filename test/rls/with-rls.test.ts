import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { withRls } from '../../src/rls/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { prepare, rows } from './support.js';

const state = (db: { execute: OrgkitDatabase['execute'] }) =>
  rows<{ claims: string | null; role: string }>(
    db,
    sql`SELECT current_setting('request.jwt.claims', true) AS claims, current_user AS role`,
  );

describe.each(DATABASE_TARGETS)('withRls on $name', (database) => {
  let test: TestDatabase;
  let owner: string;
  beforeAll(async () => {
    // One connection: the next query after withRls reuses the connection it ran on.
    test = await openTestDatabase(database, { maxConnections: 1 });
    await prepare(test, 'postgres');
    await test.db.execute(
      sql`INSERT INTO events (id, workos_org_id) VALUES ('e1', 'org_1'), ('e2', 'org_2')`,
    );
    owner = (await state(test.db))[0]?.role ?? '';
  });
  afterAll(() => test?.close());

  it('sets the role and the claims inside, and nothing leaks to the next user of the connection', async () => {
    const session = sessionFor('user_1', {
      organizationId: 'org_1',
      role: 'admin',
      permissions: ['a:b'],
    });
    const inside = await withRls(test.db, session, async (tx) => ({
      state: (await state(tx))[0],
      events: await rows(tx, sql`SELECT id FROM events`),
    }));
    expect(inside.state?.role).toBe('authenticated');
    expect(JSON.parse(inside.state?.claims ?? '{}')).toMatchObject({
      sub: 'user_1',
      org_id: 'org_1',
      role: 'admin',
      roles: ['admin'],
      permissions: ['a:b'],
      sid: 'session_01TEST',
    });
    expect(inside.events).toEqual([{ id: 'e1' }]);

    const after = (await state(test.db))[0];
    expect(after?.role).toBe(owner);
    expect(after?.claims ?? '').toBe('');
    // The owner is not the request role: it still sees every row (RLS is the request role's).
    expect(await rows(test.db, sql`SELECT id FROM events ORDER BY id`)).toHaveLength(2);
  });

  it('nothing leaks after fn throws either', async () => {
    const boom = new Error('boom');
    await expect(
      withRls(test.db, sessionFor('user_2', { organizationId: 'org_2' }), async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    const after = (await state(test.db))[0];
    expect(after?.role).toBe(owner);
    expect(after?.claims ?? '').toBe('');
  });

  it('claims with quotes and unicode travel as a parameter, intact', async () => {
    const session = sessionFor(`user_'; DROP TABLE events; --`, { organizationId: 'org_ü"' });
    const claims = await withRls(test.db, session, async (tx) => (await state(tx))[0]?.claims);
    expect(JSON.parse(claims ?? '{}')).toMatchObject({
      sub: `user_'; DROP TABLE events; --`,
      org_id: 'org_ü"',
    });
  });

  it('no session fails closed with unauthenticated, and no query runs', async () => {
    let transactions = 0;
    const counting = Object.create(test.db) as OrgkitDatabase;
    counting.transaction = ((...args: Parameters<OrgkitDatabase['transaction']>) => {
      transactions++;
      return test.db.transaction(...args);
    }) as OrgkitDatabase['transaction'];
    let called = false;
    await expect(
      withRls(counting, undefined, async () => {
        called = true;
      }),
    ).rejects.toMatchObject({ code: 'unauthenticated' });
    expect({ transactions, called }).toEqual({ transactions: 0, called: false });
  });

  it('bad input is invalid_input', async () => {
    const ok = sessionFor('user_1');
    await expect(withRls(test.db, { ...ok, userId: '' }, async () => 1)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      withRls(test.db, ok, async () => 1, { role: 'x"; RESET ROLE; --' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(withRls({} as OrgkitDatabase, ok, async () => 1)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(withRls(test.db, ok, 'nope' as never)).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
