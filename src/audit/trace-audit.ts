import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { Telemetry } from '../telemetry/index.js';
import { ATTR, METRIC, SPAN } from '../telemetry/index.js';
import { createOutbox } from './forward/outbox.js';
import type { AuditWriter } from './write-events.js';

/**
 * Audit writes in spans (how many events, the action when there is one), counted by action,
 * timed in the write histogram. Actions are the app's vocabulary (`patient.viewed`), never
 * values; nothing of an event's content is recorded.
 * @internal
 */
export function traceAuditWriter(writer: AuditWriter, telemetry: Telemetry): AuditWriter {
  return {
    write(rows, tx) {
      const recorder = telemetry.recorder();
      if (recorder === undefined) return writer.write(rows, tx);
      const startedAt = performance.now();
      const action = rows.length === 1 ? rows[0]!.action : 'batch';
      const attributes = { [ATTR.auditAction]: action, [ATTR.auditEvents]: rows.length };
      return recorder.span(SPAN.auditWrite, attributes, async () => {
        const events = await writer.write(rows, tx);
        for (const row of rows)
          recorder.count(METRIC.auditEvents, { [ATTR.auditAction]: row.action });
        recorder.seconds(METRIC.auditWriteDuration, startedAt, { [ATTR.auditAction]: action });
        return events;
      });
    },
  };
}

/**
 * After a drain, the WorkOS outbox's depth and its oldest event's age as gauges (one more query,
 * made only when an SDK is registered).
 * @internal
 */
export async function recordOutboxBacklog(
  telemetry: Telemetry,
  db: OrgkitDatabase,
  tables: OrgkitTables,
): Promise<void> {
  const recorder = telemetry.recorder();
  if (recorder === undefined) return;
  const { depth, oldestAgeSeconds } = await createOutbox(db, tables).backlog();
  recorder.gauge(METRIC.outboxDepth, depth);
  recorder.gauge(METRIC.outboxOldestAge, oldestAgeSeconds);
}
