import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { createAuditWriterModule } from '../../src/audit/create-writer.js';
import { RequestScopeStore } from '../../src/context/index.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { rowsOf } from '../../src/db/database.js';
import type { OrgkitTables } from '../../src/db/tables.js';

/**
 * The real audit module over `db`, as createOrgkit builds it, for tests that build one capability
 * alone: pass `audit.record` as the capability's `recordAudit`, check with `audit.verifyAuditChain()`.
 */
export function openAudit(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  scope = new RequestScopeStore(),
) {
  return createAuditWriterModule(db, tables, scope);
}

/** One audit row as raw SQL reads it, in the fields a user filters and reads by. */
export interface RawAuditRow {
  action: string;
  organizationId: string | null;
  actorUserId: string | null;
  actorSystem: string | null;
  resourceType: string | null;
  resourceId: string | null;
  oldValues: unknown;
  newValues: unknown;
  metadata: unknown;
  seq: number;
}

/** Every audit row (optionally one action's), oldest first, read with plain SQL. */
export async function auditRows(db: OrgkitDatabase, action?: string): Promise<RawAuditRow[]> {
  const rows = rowsOf<Record<string, string | null>>(
    await db.execute(sql`
      SELECT action, workos_org_id, actor_workos_user_id, actor_system, target_type, target_id,
        old_values::text AS old_values, new_values::text AS new_values, metadata::text AS metadata,
        seq::text AS seq
      FROM audit_logs
      WHERE ${action === undefined ? sql`true` : sql`action = ${action}`}
      ORDER BY id`),
  );
  const json = (text: string | null | undefined) => (text == null ? null : JSON.parse(text));
  return rows.map((r) => ({
    action: r.action!,
    organizationId: r.workos_org_id ?? null,
    actorUserId: r.actor_workos_user_id ?? null,
    actorSystem: r.actor_system ?? null,
    resourceType: r.target_type ?? null,
    resourceId: r.target_id ?? null,
    oldValues: json(r.old_values),
    newValues: json(r.new_values),
    metadata: json(r.metadata),
    seq: Number(r.seq),
  }));
}

/** Fails unless no stored audit row, in any column, contains any of `needles` (case-insensitive). */
export async function expectNotInAuditLog(db: OrgkitDatabase, needles: readonly string[]) {
  for (const needle of needles) {
    const [row] = rowsOf<{ n: string }>(
      await db.execute(sql`
        SELECT count(*)::text AS n FROM audit_logs a
        WHERE strpos(lower(a::text), lower(${needle})) > 0`),
    );
    expect(Number(row?.n), `"${needle}" found in audit_logs`).toBe(0);
  }
}

/** Fails unless every audit chain verifies. */
export async function expectChainsValid(audit: {
  verifyAuditChain(): Promise<{ valid: boolean; firstProblem: unknown }>;
}) {
  const report = await audit.verifyAuditChain();
  expect(report.firstProblem).toBeNull();
  expect(report.valid).toBe(true);
}
