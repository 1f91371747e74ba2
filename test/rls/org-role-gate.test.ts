import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRlsModel, generateRlsSql, withRls } from '../../src/rls/index.js';
import type { Session } from '../../src/session/types.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { sessionFor } from '../support/sessions.js';
import { asNoClaims, execScript, rows } from './support.js';

const model = defineRlsModel({
  tables: {
    notes: {
      kind: 'org',
      organizationColumn: 'org_id',
      commands: { delete: { orgRole: 'admin' } },
    },
  },
});
const RESTORE = `INSERT INTO notes VALUES ('n1', 'org_1'), ('n2', 'org_2') ON CONFLICT DO NOTHING`;

describe.each(DATABASE_TARGETS)('an org-role gate on $name', (database) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(database);
    await execScript(test.db, 'CREATE TABLE notes (id text PRIMARY KEY, org_id text NOT NULL)');
    await execScript(test.db, generateRlsSql(model, { target: 'postgres', schema: test.schema }));
  });
  afterAll(() => test?.close());

  /** What `session` may delete; the rows are put back afterwards. */
  const deletable = async (session: Session | undefined): Promise<string[]> => {
    await execScript(test.db, RESTORE);
    const run = (tx: Parameters<Parameters<typeof test.db.transaction>[0]>[0]) =>
      rows<{ id: string }>(tx, sql`WITH d AS (DELETE FROM notes RETURNING id) SELECT id FROM d`);
    const got = await (session ? withRls(test.db, session, run) : asNoClaims(test.db, run));
    await execScript(test.db, RESTORE);
    return got.map((r) => r.id);
  };

  it('lets the role through by `role` or by `roles`, in its own organization only', async () => {
    const admin = sessionFor('u', { organizationId: 'org_1', role: 'admin' });
    const adminByRoles = sessionFor('u', {
      organizationId: 'org_1',
      role: 'member',
      roles: ['member', 'admin'],
    });
    expect(await deletable(admin)).toEqual(['n1']);
    expect(await deletable(adminByRoles)).toEqual(['n1']);
    expect(await deletable(sessionFor('u', { organizationId: 'org_1', role: 'member' }))).toEqual(
      [],
    );
    // A permission named like the role is not the role.
    expect(
      await deletable(sessionFor('u', { organizationId: 'org_1', permissions: ['admin'] })),
    ).toEqual([]);
    expect(await deletable(sessionFor('u', { role: 'admin' }))).toEqual([]);
    expect(await deletable(undefined)).toEqual([]);
  });
});
