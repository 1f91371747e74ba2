import {
  flattenMetadata,
  WORKOS_METADATA_LIMITS,
  type WorkOSMetadataValue,
} from './flatten-metadata.js';

/** The stored fields of an audit event that forwarding reads. @internal */
export interface ForwardedAuditRow {
  id: bigint | string;
  occurredAt: Date;
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
  metadata: Record<string, unknown> | null;
  seq: bigint | string | number;
  hash: string;
}

/** The event `workos.auditLogs.createEvent(organizationId, event, options)` takes (SDK 9–11). */
export interface WorkOSAuditEvent {
  action: string;
  occurredAt: Date;
  actor: { id: string; type: 'user' | 'system' };
  targets: { id: string; type: string }[];
  context: { location: string; userAgent?: string };
  metadata: Record<string, WorkOSMetadataValue>;
}

/**
 * WorkOS requires `context.location`; an event recorded without an IP address (a job, a script)
 * is sent with this placeholder.
 */
export const UNKNOWN_LOCATION = '0.0.0.0';
/** Target id and type for an event recorded without a resource id (or type). */
export const NO_TARGET = 'none';

/**
 * The `Idempotency-Key` of one event: its row id and the start of its chain hash. Stable across
 * retries and processes (the row never changes), and different for two databases whose row ids
 * happen to match. WorkOS remembers a key for 24 hours.
 */
export function workosIdempotencyKey(row: Pick<ForwardedAuditRow, 'id' | 'hash'>): string {
  return `orgkit-audit-${String(row.id)}-${row.hash.slice(0, 16)}`;
}

/**
 * Maps a stored audit event onto WorkOS's Audit Logs schema.
 *
 * - `actor`: `{ id: <WorkOS user id>, type: 'user' }`, or `{ id: <job name>, type: 'system' }`.
 * - `targets`: one, `{ id: resourceId ?? 'none', type: resourceType }`.
 * - `context`: `location` is the recorded IP address, else `0.0.0.0` (WorkOS requires one);
 *   `userAgent` when one was recorded.
 * - `metadata`: `orgkit.outcome` and `orgkit.request_id` first, then the event's metadata
 *   flattened (see `flattenMetadata`: dotted keys, arrays as JSON text, long values cut, long keys
 *   shortened), then `orgkit.seq` and `orgkit.hash` (the event's place in its hash chain) when
 *   they fit in the 50 keys. When metadata had to be left out or cut, `orgkit.truncated: true`
 *   says so; the full event stays in the local table.
 *
 * `changes` (old and new values) are never sent: WorkOS is outside the app's trust boundary for
 * PHI, and the local table is the system of record. Metadata was redacted before it was stored.
 *
 * @example
 * ```ts
 * const event = toWorkOSAuditEvent(row)
 * await workos.auditLogs.createEvent(row.workosOrgId, event, { idempotencyKey: workosIdempotencyKey(row) })
 * ```
 */
export function toWorkOSAuditEvent(row: ForwardedAuditRow): WorkOSAuditEvent {
  const actor =
    row.actorWorkosUserId !== null
      ? { id: row.actorWorkosUserId, type: 'user' as const }
      : { id: row.actorSystem ?? 'unknown', type: 'system' as const };
  const context: WorkOSAuditEvent['context'] = { location: row.ipAddress ?? UNKNOWN_LOCATION };
  if (row.userAgent !== null) context.userAgent = row.userAgent;
  return {
    action: row.action,
    occurredAt: row.occurredAt,
    actor,
    targets: [{ id: row.targetId ?? NO_TARGET, type: row.targetType ?? NO_TARGET }],
    context,
    metadata: toWorkOSMetadata(row),
  };
}

// orgkit's own keys; the app's metadata may not shadow them.
const RESERVED_KEYS = new Set([
  'orgkit.outcome',
  'orgkit.request_id',
  'orgkit.seq',
  'orgkit.hash',
  'orgkit.truncated',
]);

function toWorkOSMetadata(row: ForwardedAuditRow): Record<string, WorkOSMetadataValue> {
  const core: [string, WorkOSMetadataValue][] = [['orgkit.outcome', row.outcome]];
  if (row.requestId !== null) core.push(['orgkit.request_id', row.requestId]);
  const chain: [string, WorkOSMetadataValue][] = [
    ['orgkit.seq', Number(row.seq)],
    ['orgkit.hash', row.hash],
  ];
  const flat = flattenMetadata(row.metadata);
  const app = flat.entries.filter((entry) => !RESERVED_KEYS.has(entry.key));

  let room = WORKOS_METADATA_LIMITS.maxKeys - core.length;
  const truncated =
    flat.dropped > 0 ||
    app.length < flat.entries.length ||
    app.length > room ||
    app.some((entry) => entry.cut);
  if (truncated) room--;
  const kept = app.slice(0, room);
  room -= kept.length;

  // fromEntries defines own properties, so an app key "__proto__" stays an ordinary key.
  return Object.fromEntries([
    ...core,
    ...kept.map((entry): [string, WorkOSMetadataValue] => [entry.key, entry.value]),
    ...(room >= chain.length ? chain : []),
    ...(truncated ? [['orgkit.truncated', true] as [string, WorkOSMetadataValue]] : []),
  ]);
}
