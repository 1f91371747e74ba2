import * as z from 'zod/mini';
import type { RequestScopeStore } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { parseInput } from '../errors/index.js';
import { TELEMETRY_OFF, type Telemetry } from '../telemetry/index.js';
import type { AuditEvents } from './define-audit-events.js';
import { parseLogOptions, toAuditRow } from './event-input.js';
import type { Redactor } from './redact.js';
import { traceAuditWriter } from './trace-audit.js';
import type { AuditApi, AuditEventInput, LoggedAuditEvent } from './types.js';
import { createAuditWriter } from './write-events.js';

/** What {@link createAuditLog} needs. @internal */
export interface AuditLogDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  scope: RequestScopeStore;
  events: AuditEvents;
  redactor: Redactor;
  /** Events also go to the WorkOS outbox (`audit.forwardToWorkOS`). */
  forward: boolean;
  /** Spans and metrics of writes. @default off */
  telemetry?: Telemetry | undefined;
}

/** The writing half of the audit API, and what orgkit's own capabilities call. @internal */
export interface AuditLog extends Pick<AuditApi<AuditEvents>, 'logAuditEvent' | 'logAuditEvents'> {
  /** Records orgkit's own events through the same path as the app's. */
  record(
    events: readonly AuditEventInput[],
    options?: { tx?: OrgkitDatabase | undefined },
  ): Promise<void>;
  /** Validates, redacts and writes events; `what` names the caller in errors. */
  write(
    inputs: readonly AuditEventInput[],
    tx: OrgkitDatabase | undefined,
    what: string,
  ): Promise<LoggedAuditEvent[]>;
}

const MAX_BATCH = 1_000;
const batchSchema = z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_BATCH));

/**
 * Builds the writing half of audit logging over `audit_logs`: validated, redacted events that the
 * database links into per-organization hash chains. The core has only this half; reading,
 * verifying, purging and forwarding are built on it by `createAudit`.
 */
export function createAuditLog(deps: AuditLogDeps): AuditLog {
  const { scope, events, redactor } = deps;
  const writer = traceAuditWriter(
    createAuditWriter(deps.db, deps.tables, deps.forward),
    deps.telemetry ?? TELEMETRY_OFF,
  );

  const write = async (
    inputs: readonly AuditEventInput[],
    tx: OrgkitDatabase | undefined,
    what: string,
  ): Promise<LoggedAuditEvent[]> => {
    const current = scope.current();
    const rows = inputs.map((input, i) =>
      toAuditRow(input, {
        scope: current,
        events,
        redactor,
        what: inputs.length > 1 ? `${what}: events.${i}` : what,
      }),
    );
    return writer.write(rows, tx);
  };

  return {
    write,
    async logAuditEvent(action, resourceType, resourceId, changes, metadata, options) {
      const what = 'logAuditEvent';
      const { tx, ...rest } = parseLogOptions(options, what);
      const [event] = await write(
        [
          {
            action,
            resourceType,
            resourceId,
            changes: changes ?? undefined,
            metadata: metadata ?? undefined,
            ...rest,
          },
        ],
        tx,
        what,
      );
      return event!;
    },

    async logAuditEvents(inputs, options) {
      const what = 'logAuditEvents';
      parseInput(batchSchema, inputs, `${what}: events`);
      const { tx } = parseLogOptions(options, what);
      return write(inputs, tx, what);
    },

    async record(inputs, options) {
      await write(inputs, options?.tx, 'audit');
    },
  };
}
