import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import * as z from 'zod';
import type { OrgkitDatabase } from '../db/database.js';
import { rowsOf } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError, parseInput } from '../errors/index.js';

/**
 * The head of every chain at one moment. Kept outside the database (a file in other storage, a
 * ticket, a signed email), it proves later that no chain was cut short or rebuilt since.
 */
export interface AuditCheckpoint {
  format: 'orgkit-audit-checkpoint';
  version: 1;
  /** ISO 8601. */
  createdAt: string;
  chains: { organizationId: string | null; seq: number; hash: string }[];
  /**
   * Hex HMAC-SHA256 of the rest, when `audit.checkpointKey` is set: whoever can write to the
   * database can recompute plain hashes, but not this without the key.
   */
  mac?: string | undefined;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256');

const checkpointSchema = z.strictObject({
  format: z.literal('orgkit-audit-checkpoint'),
  version: z.literal(1),
  createdAt: z.iso.datetime({ offset: true }),
  chains: z
    .array(
      z.strictObject({
        organizationId: z.string().min(1).max(256).nullable(),
        seq: z.number().int().min(1),
        hash: hex64,
      }),
    )
    .max(10_000_000),
  mac: hex64.optional(),
});

// The MAC covers a fixed serialisation, not whatever key order a JSON file happens to have.
function macOf(checkpoint: AuditCheckpoint, key: string): string {
  const body = JSON.stringify([
    checkpoint.format,
    checkpoint.version,
    checkpoint.createdAt,
    checkpoint.chains.map((c) => [c.organizationId, c.seq, c.hash]),
  ]);
  return createHmac('sha256', key).update(body, 'utf8').digest('hex');
}

/** Reads the head of every chain (one row each) into a checkpoint, signed when `key` is set. @internal */
export async function createCheckpoint(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  key: string | undefined,
): Promise<AuditCheckpoint> {
  const rows = rowsOf<{ chain: string; seq: string; hash: string }>(
    await db.execute(sql`
      SELECT chain, seq::text AS seq, hash FROM ${tables.auditHeads}
      WHERE seq > 0 ORDER BY chain`),
  );
  const checkpoint: AuditCheckpoint = {
    format: 'orgkit-audit-checkpoint',
    version: 1,
    createdAt: new Date().toISOString(),
    chains: rows.map((r) => ({
      organizationId: r.chain === '' ? null : r.chain,
      seq: Number(r.seq),
      hash: r.hash,
    })),
  };
  return key ? { ...checkpoint, mac: macOf(checkpoint, key) } : checkpoint;
}

/**
 * Validates a checkpoint (parsed JSON) and, when `key` is set, its MAC: a checkpoint without
 * one, or with one that does not match, is refused rather than trusted.
 * @internal
 */
export function parseCheckpoint(
  value: unknown,
  key: string | undefined,
  what: string,
): AuditCheckpoint {
  const checkpoint = parseInput(checkpointSchema, value, `${what}: checkpoint`) as AuditCheckpoint;
  if (key) {
    const expected = Buffer.from(macOf(checkpoint, key), 'hex');
    const given = Buffer.from(checkpoint.mac ?? '', 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new OrgkitError(
        'invalid_input',
        `${what}: checkpoint: ${checkpoint.mac ? 'its signature does not match audit.checkpointKey' : 'it is not signed, but audit.checkpointKey is set'}`,
        { reason: 'checkpoint_signature', details: { key: 'checkpoint' } },
      );
    }
  }
  return checkpoint;
}
