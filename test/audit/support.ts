import { sql } from 'drizzle-orm';
import { createOrgkit, type OrgkitConfig } from '../../src/create-orgkit.js';
import type { OrgkitDatabase } from '../../src/db/database.js';
import { rowsOf } from '../../src/db/database.js';

/** An orgkit over `db` with only what audit logging needs. */
export function auditOrgkit(db: OrgkitDatabase, audit: OrgkitConfig['audit'] = {}) {
  return createOrgkit({ database: db, audit });
}

/** Every stored audit row, as raw SQL sees it (no orgkit code in between). */
export async function rawAuditRows(db: OrgkitDatabase): Promise<Record<string, unknown>[]> {
  return rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT id::text AS id, seq::text AS seq, workos_org_id, action, outcome, actor_workos_user_id,
        actor_system, target_type, target_id, ip_address, user_agent, request_id,
        old_values::text AS old_values, new_values::text AS new_values, metadata::text AS metadata,
        prev_hash, hash
      FROM audit_logs ORDER BY audit_logs.id`),
  );
}

/** Runs `statement` with the audit triggers off, as a superuser tampering behind their back would. */
export async function behindTheTriggersBack(db: OrgkitDatabase, statement: ReturnType<typeof sql>) {
  await db.execute(sql`ALTER TABLE audit_logs DISABLE TRIGGER USER`);
  try {
    await db.execute(statement);
  } finally {
    await db.execute(sql`ALTER TABLE audit_logs ENABLE TRIGGER USER`);
  }
}

/** Counts of rows in the audit tables, to prove a rejected call changed nothing. */
export async function auditCounts(db: OrgkitDatabase) {
  const [row] = rowsOf<{ events: string; heads: string; outbox: string }>(
    await db.execute(sql`
      SELECT (SELECT count(*) FROM audit_logs)::text AS events,
        (SELECT count(*) FROM orgkit_audit_heads)::text AS heads,
        (SELECT count(*) FROM orgkit_audit_outbox)::text AS outbox`),
  );
  return row;
}

/**
 * Makes some of a chain's events look written `years` ago, and re-links the whole chain from
 * them on, as if they had really been written then: the chain stays valid, unlike a plain
 * backdating, which the verifier reports as tampering.
 */
export async function ageEvents(
  db: OrgkitDatabase,
  organizationId: string,
  seqs: number[],
  years: number,
) {
  await db.execute(sql`ALTER TABLE audit_logs DISABLE TRIGGER USER`);
  try {
    await db.execute(sql`
      UPDATE audit_logs SET occurred_at = occurred_at - make_interval(years => ${years})
      WHERE workos_org_id = ${organizationId} AND seq = ANY(${`{${seqs.join(',')}}`}::bigint[])`);
    const ids = rowsOf<{ id: string }>(
      await db.execute(sql`
        SELECT id::text AS id FROM audit_logs WHERE workos_org_id = ${organizationId} ORDER BY seq`),
    );
    let prev = '0'.repeat(64);
    for (const { id } of ids) {
      const [row] = rowsOf<{ hash: string }>(
        await db.execute(sql`
          UPDATE audit_logs SET prev_hash = ${prev},
            hash = orgkit_audit_hash(seq, id, occurred_at, action, outcome, actor_workos_user_id,
              actor_system, workos_org_id, target_type, target_id, ip_address, user_agent,
              request_id, old_values, new_values, metadata, ${prev})
          WHERE id = ${id}::bigint RETURNING hash`),
      );
      prev = row!.hash;
    }
    await db.execute(
      sql`UPDATE orgkit_audit_heads SET hash = ${prev} WHERE chain = ${organizationId}`,
    );
  } finally {
    await db.execute(sql`ALTER TABLE audit_logs ENABLE TRIGGER USER`);
  }
}
