import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../src/testing/database.js';
import { openTestDatabase } from '../support/databases.js';
import { as, attempt, execScript, ORG_A, ORG_P, prepare, rows } from './support.js';
import { MATRIX_WORLD, seed } from './world.js';

// FORCE ROW LEVEL SECURITY confines the table owner too. The SECURITY DEFINER code (the audit
// chain trigger, the membership helper) runs as its owner, so that owner must be a superuser or
// have BYPASSRLS (Supabase's postgres, Neon's project roles do). Without it, the helper fails
// closed and audit writes are refused; this pins both. PGlite only: every PGlite is its own
// cluster, so the roles made here cannot disturb other tests (on a real server they are global).
describe('the owner of tables and SECURITY DEFINER helpers (pglite)', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabase({ url: undefined }, { plain: true });
    await prepare(test, 'postgres');
    await seed(test.db, MATRIX_WORLD);
    await execScript(
      test.db,
      `CREATE ROLE app_owner NOLOGIN NOBYPASSRLS;
       ALTER TABLE audit_logs OWNER TO app_owner;
       ALTER TABLE orgkit_audit_heads OWNER TO app_owner;
       ALTER TABLE user_org_memberships OWNER TO app_owner;
       ALTER FUNCTION orgkit_audit_link() OWNER TO app_owner;
       ALTER FUNCTION orgkit_rls_member_organizations() OWNER TO app_owner;`,
    );
  });
  afterEach(() => test?.close());

  const guestOrganizations = () =>
    as(test.db, 'guest', (tx) =>
      rows<{ k: string }>(tx, sql`SELECT workos_org_id AS k FROM organizations ORDER BY 1`),
    ).then((list) => list.map((r) => r.k));
  const auditInsert = () =>
    attempt(() =>
      as(test.db, 'sameOrgAdmin', (tx) =>
        tx.execute(
          sql`INSERT INTO audit_logs (action, workos_org_id, actor_workos_user_id) VALUES ('test.x', ${ORG_A}, 'user_a2')`,
        ),
      ),
    );

  it('without BYPASSRLS: the membership helper sees nothing (fails closed) and audit writes are refused', async () => {
    expect(await guestOrganizations()).toEqual([ORG_P]);
    expect(await auditInsert()).toBe('rls');
  });

  it('with BYPASSRLS: the helper reads memberships and the chain trigger writes its head', async () => {
    await test.db.execute(sql`ALTER ROLE app_owner BYPASSRLS`);
    expect(await guestOrganizations()).toEqual([ORG_A, ORG_P].sort());
    expect(await auditInsert()).toBe('ok');
  });
});
