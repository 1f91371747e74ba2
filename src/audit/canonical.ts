import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

/** The `prev_hash` of a chain's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An event's stored fields as text, exactly as Postgres renders them: `jsonb` through its text
 * output, `occurred_at` as UTC ISO 8601 with microseconds.
 * @internal
 */
export interface StoredAuditFields {
  seq: string;
  id: string;
  occurredAt: string;
  action: string;
  outcome: string;
  actorWorkosUserId: string | null;
  actorSystem: string | null;
  workosOrgId: string | null;
  targetType: string | null;
  targetId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  oldValues: string | null;
  newValues: string | null;
  metadata: string | null;
  prevHash: string;
  /** `subject_ids::text` (the extension block, migration 0007). */
  subjectIds: string | null;
  impersonator: string | null;
  impersonationReason: string | null;
}

const FIELD_ORDER = [
  'seq',
  'id',
  'occurredAt',
  'action',
  'outcome',
  'actorWorkosUserId',
  'actorSystem',
  'workosOrgId',
  'targetType',
  'targetId',
  'ipAddress',
  'userAgent',
  'requestId',
  'oldValues',
  'newValues',
  'metadata',
  'prevHash',
] as const satisfies readonly (keyof StoredAuditFields)[];

// Appended only when one of them is set, so events without them keep their v1 hash.
const EXTENSION_ORDER = [
  'subjectIds',
  'impersonator',
  'impersonationReason',
] as const satisfies readonly (keyof StoredAuditFields)[];

/**
 * The canonical form v1 the chain hashes: a version line, then each field in a fixed order as
 * `~` (NULL) or `<UTF-8 byte length>:<text>`, each followed by a newline. The length prefix
 * keeps field boundaries unforgeable without escaping. The database computes the same text in
 * `orgkit_audit_hash()` (migration 0003), with the extension block of data subjects and
 * impersonator in `orgkit_audit_hash_ext()` (migration 0007); this copy lets the verifier check
 * the database instead of trusting it.
 * @internal
 */
export function canonicalAuditText(fields: StoredAuditFields): string {
  let text = 'orgkit-audit-v1\n';
  const add = (value: string | null) => {
    text += value === null ? '~\n' : `${Buffer.byteLength(value, 'utf8')}:${value}\n`;
  };
  for (const name of FIELD_ORDER) add(fields[name]);
  if (EXTENSION_ORDER.some((name) => (fields[name] ?? null) !== null)) {
    text += 'ext-1\n';
    for (const name of EXTENSION_ORDER) add(fields[name] ?? null);
  }
  return text;
}

/** Hex SHA-256 of the canonical form. @internal */
export function auditEventHash(fields: StoredAuditFields): string {
  return createHash('sha256').update(canonicalAuditText(fields), 'utf8').digest('hex');
}
