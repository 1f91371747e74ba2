import { inArray } from 'drizzle-orm';
import type { WorkOSClientLike } from '../../config/workos-client.js';
import type { OrgkitDatabase } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';
import { retryDelayMs } from './backoff.js';
import { classifyForwardError, type ForwardFailure } from './classify-error.js';
import { createOutbox, type LeasedEntry, type Outbox } from './outbox.js';
import {
  type ForwardedAuditRow,
  toWorkOSAuditEvent,
  workosIdempotencyKey,
} from './to-workos-event.js';
import type { AuditForwardOptions, AuditForwardResult } from './types.js';

/** What {@link drainAuditOutbox} needs. @internal */
export interface DrainDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  workos: WorkOSClientLike;
  options: Required<AuditForwardOptions>;
  /** For jitter. @default Math.random */
  random?: () => number;
}

interface Run extends DrainDeps {
  outbox: Outbox;
  token: string;
  result: AuditForwardResult;
}

async function readEvents(run: Run, ids: bigint[]): Promise<Map<bigint, ForwardedAuditRow>> {
  const t = run.tables.auditLogs;
  const rows = await run.db
    .select({
      id: t.id,
      occurredAt: t.occurredAt,
      action: t.action,
      outcome: t.outcome,
      actorWorkosUserId: t.actorWorkosUserId,
      actorSystem: t.actorSystem,
      workosOrgId: t.workosOrgId,
      targetType: t.targetType,
      targetId: t.targetId,
      ipAddress: t.ipAddress,
      userAgent: t.userAgent,
      requestId: t.requestId,
      metadata: t.metadata,
      seq: t.seq,
      hash: t.hash,
    })
    .from(t)
    .where(inArray(t.id, ids));
  return new Map(rows.map((row) => [row.id, row]));
}

async function send(run: Run, entry: LeasedEntry, row: ForwardedAuditRow) {
  try {
    await run.workos.auditLogs.createEvent(entry.organizationId, toWorkOSAuditEvent(row), {
      idempotencyKey: workosIdempotencyKey(row),
    });
    return undefined;
  } catch (error) {
    return classifyForwardError(error);
  }
}

// Records a failed attempt; true when the run should stop (WorkOS is unavailable).
async function recordFailure(
  run: Run,
  entry: LeasedEntry,
  failure: ForwardFailure,
  rest: LeasedEntry[],
): Promise<boolean> {
  const { options, outbox, token, result } = run;
  const attempts = entry.attempts + 1;
  const delayMs = retryDelayMs(attempts, options, failure.retryAfterMs, run.random);
  if (failure.kind === 'rejected' || attempts >= options.maxAttempts) {
    // Given up: it keeps its error code and waits for an operator. A refused event would be
    // refused again, so it does not wait out the remaining attempts.
    const givenUp = { attempts: Math.max(attempts, options.maxAttempts), delayMs: 0 };
    if (await outbox.fail(entry.eventId, token, { ...givenUp, error: failure.code })) {
      result.failed++;
    }
  } else if (await outbox.fail(entry.eventId, token, { attempts, delayMs, error: failure.code })) {
    result.retrying++;
  }
  if (failure.kind === 'rejected') return false;
  // WorkOS cannot take events now: the rest of the batch waits as long, without spending an
  // attempt, rather than each failing in turn.
  const ids = rest.map((e) => e.eventId);
  result.retrying += await outbox.putBack(ids, token, delayMs);
  return true;
}

// Sends one leased batch in order; true when the run should stop.
async function sendBatch(run: Run, batch: LeasedEntry[]): Promise<boolean> {
  const { outbox, token, result, options } = run;
  const events = await readEvents(
    run,
    batch.map((entry) => entry.eventId),
  );
  for (const [i, entry] of batch.entries()) {
    const row = events.get(entry.eventId);
    if (!row) {
      if (await outbox.remove(entry.eventId, token)) result.skipped++;
      continue;
    }
    // Confirms the lease (another drain may have taken over a slow batch) and extends it.
    if (!(await outbox.renew(entry.eventId, token, options.leaseMs))) continue;
    const failure = await send(run, entry, row);
    if (!failure) {
      if (await outbox.remove(entry.eventId, token)) result.sent++;
      continue;
    }
    if (await recordFailure(run, entry, failure, batch.slice(i + 1))) return true;
  }
  return false;
}

/**
 * Sends the due events of the WorkOS outbox, batch after batch, until none is due or WorkOS is
 * unavailable. Each batch is leased in one statement (`FOR UPDATE SKIP LOCKED`), then each event
 * is read, sent outside any transaction with its own idempotency key, and removed from the outbox
 * only by the drain that still holds its lease, so concurrent drains never send an event twice.
 * A 429 (its `Retry-After` honoured), 5xx, timeout or network error ends the run and puts the
 * rest of the batch back; a failed event is due again after an exponential backoff with jitter.
 * @internal
 */
export async function drainAuditOutbox(deps: DrainDeps): Promise<AuditForwardResult> {
  const run: Run = {
    ...deps,
    outbox: createOutbox(deps.db, deps.tables),
    token: globalThis.crypto.randomUUID(),
    result: { sent: 0, retrying: 0, failed: 0, skipped: 0, abandoned: 0 },
  };
  for (;;) {
    const batch = await run.outbox.lease(run.token, deps.options);
    if (batch.length === 0) break;
    if (await sendBatch(run, batch)) break;
    if (batch.length < deps.options.batchSize) break;
  }
  run.result.abandoned = await run.outbox.countAbandoned(deps.options.maxAttempts);
  return run.result;
}
