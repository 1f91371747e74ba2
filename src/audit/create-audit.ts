import * as z from 'zod';
import type { WorkOSClientLike } from '../config/workos-client.js';
import type { RequestScopeStore } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import { SPAN, TELEMETRY_OFF, type Telemetry, traced } from '../telemetry/index.js';
import { createCheckpoint, parseCheckpoint } from './checkpoint.js';
import type { AuditLog } from './create-audit-log.js';
import type { AuditEvents } from './define-audit-events.js';
import { drainAuditOutbox } from './forward/drain-outbox.js';
import type { AuditForwardOptions } from './forward/types.js';
import { purgeChains } from './purge.js';
import {
  type ParsedAuditQuery,
  parseAuditQuery,
  selectAuditPage,
  streamAuditEvents,
} from './query-events.js';
import { authorizeAuditRead } from './read-access.js';
import { recordOutboxBacklog } from './trace-audit.js';
import type { AuditApi, AuditEventInput, AuditQuery } from './types.js';
import { verifyAuditChains } from './verify-chain.js';

/** What {@link createAudit} needs. @internal */
export interface AuditDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  scope: RequestScopeStore;
  /** The writing half, from `createAuditLog`. */
  log: AuditLog;
  retentionDays: number;
  checkpointKey: string | undefined;
  /** The permission reading the audit log takes inside a request. */
  readPermission: string;
  /** The core's permission check in one organization. */
  hasPermission(
    userId: string,
    permission: string,
    organizationId: string | null,
  ): Promise<boolean>;
  workos: WorkOSClientLike | undefined;
  /** `false`: events are not forwarded to WorkOS. */
  forward: false | Required<AuditForwardOptions>;
  /** Spans and metrics of writes, verifications and outbox drains. @default off */
  telemetry?: Telemetry | undefined;
}

/** The internal audit API: the public one plus what orgkit's own capabilities call. @internal */
export interface AuditModule extends AuditApi<AuditEvents> {
  /** Records orgkit's own events through the same path as the app's. */
  record(
    events: readonly AuditEventInput[],
    options?: { tx?: OrgkitDatabase | undefined },
  ): Promise<void>;
}

const purgeSchema = z
  .strictObject({ retentionDays: z.number().int().min(1).max(36_500).optional() })
  .optional();
const verifySchema = z
  .strictObject({
    organizationId: z.string().min(1).max(256).nullable().optional(),
    checkpoint: z.unknown().optional(),
    incremental: z.boolean().optional(),
  })
  .refine((o) => !o.incremental || o.checkpoint !== undefined, {
    message: 'incremental needs the checkpoint to start from',
    path: ['incremental'],
  })
  .optional();

/**
 * Builds audit logging over `audit_logs` on its writing half (`createAuditLog`): queries, exports,
 * verifies, purges and forwards events.
 *
 * @example
 * ```ts
 * const audit = createAudit({ db, tables, scope, log: createAuditLog({ ... }), ... })
 * await audit.logAuditEvent('meeting.booked', 'meeting', id)
 * ```
 */
export function createAudit(deps: AuditDeps): AuditModule {
  const { db, tables, scope, log } = deps;
  const { write } = log;
  const telemetry = deps.telemetry ?? TELEMETRY_OFF;

  const authorizeRead = (organizationId: string | null | undefined, what: string) =>
    authorizeAuditRead(scope.current(), deps, organizationId, what);

  const recordRead = async (
    reader: { userId: string; organizationId: string },
    query: ParsedAuditQuery,
    kind: 'query' | 'export',
  ) => {
    const { cursor: _cursor, limit: _limit, organizationId: _org, ...filters } = query;
    await write(
      [
        {
          action: 'audit.read',
          resourceType: 'audit_log',
          resourceId: reader.organizationId,
          actor: { userId: reader.userId },
          organizationId: reader.organizationId,
          metadata: { kind, ...filters },
        },
      ],
      undefined,
      'audit.read',
    );
  };

  const scoped = async (query: AuditQuery | undefined, what: string) => {
    const parsed = parseAuditQuery(query, what);
    const reader = await authorizeRead(parsed.organizationId, what);
    if (reader) parsed.organizationId = reader.organizationId;
    return { parsed, reader };
  };

  const refuseInRequest = (what: string) => {
    if (scope.current()?.session) {
      throw new OrgkitError(
        'forbidden',
        `${what}: a maintenance operation over every organization; run it from a job or the CLI, not a request`,
        { reason: 'maintenance_only' },
      );
    }
  };

  return {
    logAuditEvent: log.logAuditEvent,
    logAuditEvents: log.logAuditEvents,
    record: log.record,

    async queryAuditEvents(query) {
      const what = 'queryAuditEvents';
      const { parsed, reader } = await scoped(query, what);
      const page = await selectAuditPage(db, tables, parsed, 'newest', what);
      if (reader) await recordRead(reader, parsed, 'query');
      return page;
    },

    exportAuditEvents(query) {
      const what = 'exportAuditEvents';
      return {
        async *[Symbol.asyncIterator]() {
          const { parsed, reader } = await scoped(query, what);
          if (reader) await recordRead(reader, parsed, 'export');
          yield* streamAuditEvents(db, tables, parsed, what);
        },
      };
    },

    async verifyAuditChain(options) {
      const what = 'verifyAuditChain';
      const parsed = parseInput(verifySchema, options, `${what}: options`);
      const checkpoint =
        parsed?.checkpoint === undefined
          ? undefined
          : parseCheckpoint(parsed.checkpoint, deps.checkpointKey, what);
      const organizationId = parsed?.organizationId;
      const reader = scope.current() ? await authorizeRead(organizationId, what) : undefined;
      return traced(
        telemetry,
        SPAN.auditVerify,
        undefined,
        () =>
          verifyAuditChains(db, tables, {
            organizationId: scope.current() ? reader?.organizationId : organizationId,
            checkpoint,
            incremental: parsed?.incremental,
          }),
        (report) => ({
          'orgkit.audit.chain.valid': report.valid,
          'orgkit.audit.chain.events_checked': report.eventsChecked,
          'orgkit.audit.chains': report.chains.length,
          ...(report.firstProblem
            ? { 'orgkit.audit.chain.problem': report.firstProblem.kind }
            : {}),
        }),
      );
    },

    async createAuditCheckpoint() {
      refuseInRequest('createAuditCheckpoint');
      return createCheckpoint(db, tables, deps.checkpointKey);
    },

    async purgeExpiredAuditEvents(options) {
      const what = 'purgeExpiredAuditEvents';
      refuseInRequest(what);
      const parsed = parseInput(purgeSchema, options, `${what}: options`);
      const { cutoff, purged } = await purgeChains(
        db,
        tables,
        parsed?.retentionDays ?? deps.retentionDays,
      );
      for (const chain of purged) {
        const organizationId = chain.chain === '' ? null : chain.chain;
        await write(
          [
            {
              action: 'audit.purged',
              resourceType: 'audit_log',
              resourceId: organizationId,
              actor: { system: 'audit-purge' },
              organizationId,
              metadata: { throughSeq: chain.throughSeq, eventsPurged: chain.eventsPurged, cutoff },
            },
          ],
          undefined,
          what,
        );
      }
      return {
        cutoff,
        chains: purged.map((c) => ({
          organizationId: c.chain === '' ? null : c.chain,
          throughSeq: c.throughSeq,
          eventsPurged: c.eventsPurged,
        })),
        eventsPurged: purged.reduce((n, c) => n + c.eventsPurged, 0),
      };
    },

    async forwardAuditEvents() {
      if (deps.forward === false) {
        throw new OrgkitError(
          'invalid_config',
          'forwardAuditEvents: set createOrgkit({ audit: { forwardToWorkOS: true } }) to forward events',
        );
      }
      if (!deps.workos) {
        throw new OrgkitError(
          'invalid_config',
          'forwardAuditEvents: needs the workos client option',
        );
      }
      const { workos, forward } = deps;
      return traced(
        telemetry,
        SPAN.outboxDrain,
        undefined,
        async () => {
          const result = await drainAuditOutbox({ db, tables, workos, options: forward });
          await recordOutboxBacklog(telemetry, db, tables);
          return result;
        },
        (result) => ({
          'orgkit.audit.forward.sent': result.sent,
          'orgkit.audit.forward.retrying': result.retrying,
          'orgkit.audit.forward.failed': result.failed,
          'orgkit.audit.forward.abandoned': result.abandoned,
        }),
      );
    },
  };
}
