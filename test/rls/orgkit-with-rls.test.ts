import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { prepare, rows } from './support.js';

describe.each(DATABASE_TARGETS)('orgkit.withRls on $name', (database) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(database);
    await prepare(test, 'postgres');
    await test.db.execute(
      sql`INSERT INTO events (id, workos_org_id) VALUES ('e1', 'org_1'), ('e2', 'org_2')`,
    );
  });
  afterAll(() => test?.close());

  it('uses the session of the request scope', async () => {
    const orgkit = createOrgkit({ database: test.db });
    const session = sessionFor('user_1', { organizationId: 'org_2' });
    const seen = await orgkit.runWithRequestScope({ session }, () =>
      orgkit.withRls((tx) => rows(tx, sql`SELECT id FROM events`)),
    );
    expect(seen).toEqual([{ id: 'e2' }]);
    await orgkit.close();
  });

  it('fails closed without a session or outside a request scope', async () => {
    const orgkit = createOrgkit({ database: test.db });
    let called = false;
    const fn = async () => {
      called = true;
    };
    await expect(orgkit.runWithRequestScope({}, () => orgkit.withRls(fn))).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    await expect(orgkit.withRls(fn)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(called).toBe(false);
    await orgkit.close();
  });
});
