import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import { rowsOf } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';

const DELETE_BATCH = 5_000;

/** One chain's purge: its events up to `throughSeq` are gone, a checkpoint records the link. @internal */
export interface ChainPurge {
  chain: string;
  throughSeq: number;
  eventsPurged: number;
}

/**
 * Removes, chain by chain, the longest prefix whose events are all older than the cutoff,
 * never a chain's newest event (the chain goes on from it). Each chain's checkpoint (the last
 * removed event's seq and hash) is committed before any of its events are deleted, and the
 * delete trigger lets through only events a purge checkpoint covers; an interrupted purge
 * leaves a chain that still verifies, and the next run finishes it.
 * @internal
 */
export async function purgeChains(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  retentionDays: number,
): Promise<{ cutoff: Date; purged: ChainPurge[] }> {
  const t = tables.auditLogs;
  const cp = tables.auditCheckpoints;
  const [{ cutoff } = { cutoff: '' }] = rowsOf<{ cutoff: string }>(
    // Milliseconds, so the same instant round-trips through the checkpoint's Date.
    await db.execute(sql`
      SELECT to_char(date_trunc('milliseconds', now() - ${retentionDays} * interval '1 day')
        AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS cutoff`),
  );
  const chains = rowsOf<{ chain: string; head: string; purged: string | null }>(
    await db.execute(sql`
      SELECT h.chain, h.seq::text AS head, (
        SELECT max(c.seq) FROM ${cp} c WHERE c.kind = 'purge' AND c.chain = h.chain
      )::text AS purged
      FROM ${tables.auditHeads} h WHERE h.seq > 1`),
  );
  const purged: ChainPurge[] = [];
  for (const { chain, head, purged: done } of chains) {
    const already = Number(done ?? 0);
    // The first event kept: the first one not yet expired (index scan from the last purge on).
    const [firstKept] = rowsOf<{ seq: string }>(
      await db.execute(sql`
        SELECT ${t.seq}::text AS seq FROM ${t}
        WHERE coalesce(${t.workosOrgId}, '') = ${chain} AND ${t.seq} > ${already}
          AND ${t.occurredAt} >= ${cutoff}::timestamptz
        ORDER BY ${t.seq} LIMIT 1`),
    );
    const through = Math.min(Number(firstKept?.seq ?? head) - 1, Number(head) - 1);
    if (through <= already) continue;
    const [last] = rowsOf<{ hash: string }>(
      await db.execute(sql`
        SELECT ${t.hash} AS hash FROM ${t}
        WHERE coalesce(${t.workosOrgId}, '') = ${chain} AND ${t.seq} = ${through}`),
    );
    if (!last) continue; // a gap where the checkpoint would go: leave it to verifyAuditChain
    await db.insert(cp).values({
      kind: 'purge',
      chain,
      seq: BigInt(through),
      hash: last.hash,
      eventsPurged: through - already,
      cutoff: new Date(cutoff),
    });
    let removed = 0;
    for (;;) {
      const rows = rowsOf<{ id: string }>(
        await db.execute(sql`
          DELETE FROM ${t} WHERE ${t.id} IN (
            SELECT ${t.id} FROM ${t}
            WHERE coalesce(${t.workosOrgId}, '') = ${chain} AND ${t.seq} <= ${through}
            ORDER BY ${t.seq} LIMIT ${DELETE_BATCH}
          ) RETURNING ${t.id}::text AS id`),
      );
      removed += rows.length;
      if (rows.length < DELETE_BATCH) break;
    }
    purged.push({ chain, throughSeq: through, eventsPurged: removed });
  }
  return { cutoff: new Date(cutoff), purged };
}
