import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { rowsOf } from '../../src/db/database.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { auditOrgkit, behindTheTriggersBack, rawAuditRows } from './support.js';

const CHANGES = [
  ['UPDATE', sql`UPDATE audit_logs SET action = 'rewritten'`],
  ['DELETE', sql`DELETE FROM audit_logs`],
  ['TRUNCATE', sql`TRUNCATE audit_logs`],
] as const;

/** Runs `statement` as `role` inside a transaction, returning the error it raised. */
async function errorAs(
  db: OrgkitDatabase,
  role: string | undefined,
  statement: ReturnType<typeof sql>,
) {
  try {
    await db.transaction(async (tx) => {
      if (role) await tx.execute(sql`SET LOCAL ROLE ${sql.identifier(role)}`);
      await tx.execute(statement);
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return String(cause?.message ?? (error as Error).message);
  }
  return undefined;
}

describe.each(DATABASE_TARGETS)('audit_logs is append-only (database: $name)', (target) => {
  let database: TestDatabase;
  let roles: string[];
  beforeEach(async () => {
    // Creates roles and changes owners: needs the superuser even under ORGKIT_TEST_RLS.
    database = await openTestDatabase(target, { plain: true });
    roles = [];
    const orgkit = auditOrgkit(database.db);
    for (const org of ['org_a', 'org_b']) {
      await orgkit.logAuditEvent('record.viewed', 'patient_record', 'rec_1', null, null, {
        actor: { userId: 'user_1' },
        organizationId: org,
      });
    }
  });
  afterEach(async () => {
    // Roles are cluster-wide on a real server: give back what they own, then drop them.
    for (const role of roles) {
      await database.db.execute(sql`REASSIGN OWNED BY ${sql.identifier(role)} TO CURRENT_USER`);
      await database.db.execute(sql`DROP OWNED BY ${sql.identifier(role)}`);
      await database.db.execute(sql`DROP ROLE ${sql.identifier(role)}`);
    }
    await database?.close();
  });

  const createRole = async (kind: string) => {
    const role = `orgkit_${kind}_${crypto.randomUUID().slice(0, 8)}`;
    await database.db.execute(
      sql`CREATE ROLE ${sql.identifier(role)} NOLOGIN NOSUPERUSER NOBYPASSRLS`,
    );
    await database.db.execute(
      sql`GRANT USAGE ON SCHEMA ${sql.identifier(database.schema)} TO ${sql.identifier(role)}`,
    );
    roles.push(role);
    return role;
  };

  it('refuses UPDATE, DELETE and TRUNCATE for a superuser', async () => {
    for (const [op, statement] of CHANGES) {
      expect(await errorAs(database.db, undefined, statement), op).toMatch(/append-only/);
    }
    expect(await rawAuditRows(database.db)).toHaveLength(2);
  });

  it('refuses them for the table owner', async () => {
    const owner = await createRole('owner');
    await database.db.execute(sql`ALTER TABLE audit_logs OWNER TO ${sql.identifier(owner)}`);
    for (const [op, statement] of CHANGES) {
      expect(await errorAs(database.db, owner, statement), op).toMatch(/append-only/);
    }
    expect(await rawAuditRows(database.db)).toHaveLength(2);
  });

  it('lets the runtime role insert and read, and grants it nothing else', async () => {
    const runtime = await createRole('runtime');
    const r = sql.identifier(runtime);
    await database.db.execute(sql`GRANT SELECT, INSERT ON audit_logs TO ${r}`);
    await database.db.execute(sql`GRANT USAGE ON SEQUENCE audit_logs_id_seq TO ${r}`);
    // The chain's bookkeeping runs as the trigger's owner; the runtime role needs no grant on it.
    expect(
      await errorAs(
        database.db,
        runtime,
        sql`INSERT INTO audit_logs (action, workos_org_id, actor_system) VALUES ('job.ran', 'org_a', 'job')`,
      ),
    ).toBeUndefined();
    for (const [op, statement] of CHANGES) {
      expect(await errorAs(database.db, runtime, statement), op).toMatch(/permission denied/);
    }
    for (const table of ['orgkit_audit_heads', 'orgkit_audit_checkpoints']) {
      expect(
        await errorAs(database.db, runtime, sql`SELECT * FROM ${sql.identifier(table)}`),
        table,
      ).toMatch(/permission denied/);
    }
    const [privileges] = rowsOf<Record<string, boolean>>(
      await database.db.execute(sql`
        SELECT has_table_privilege(${runtime}, 'audit_logs', 'UPDATE') AS update,
          has_table_privilege(${runtime}, 'audit_logs', 'DELETE') AS delete,
          has_table_privilege(${runtime}, 'audit_logs', 'TRUNCATE') AS truncate`),
    );
    expect(privileges).toEqual({ update: false, delete: false, truncate: false });
    const rows = await rawAuditRows(database.db);
    expect(rows.map((row) => [row.workos_org_id, row.seq])).toEqual([
      ['org_a', '1'],
      ['org_b', '1'],
      ['org_a', '2'],
    ]);
  });

  it('refuses to change the purge checkpoints, which decide what may be deleted', async () => {
    await database.db.execute(sql`
      INSERT INTO orgkit_audit_checkpoints (kind, chain, seq, hash, cutoff)
      VALUES ('purge', 'org_x', 1, repeat('0', 64), now())`);
    for (const statement of [
      sql`UPDATE orgkit_audit_checkpoints SET seq = 1000`,
      sql`DELETE FROM orgkit_audit_checkpoints`,
      sql`TRUNCATE orgkit_audit_checkpoints`,
    ]) {
      expect(await errorAs(database.db, undefined, statement)).toMatch(/append-only/);
    }
  });

  it('finds and names a row a superuser changed behind the triggers’ back', async () => {
    const orgkit = auditOrgkit(database.db);
    await behindTheTriggersBack(
      database.db,
      sql`UPDATE audit_logs SET target_id = 'rec_2' WHERE workos_org_id = 'org_b'`,
    );
    const report = await orgkit.verifyAuditChain();
    expect(report.valid).toBe(false);
    const changed = (await rawAuditRows(database.db)).find((r) => r.workos_org_id === 'org_b');
    expect(report.firstProblem).toMatchObject({
      organizationId: 'org_b',
      kind: 'hash_mismatch',
      seq: 1,
      id: changed?.id,
    });
    // The other organization's chain is untouched and reported valid.
    expect(report.chains.find((c) => c.organizationId === 'org_a')?.valid).toBe(true);
  });
});
