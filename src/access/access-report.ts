import * as z from 'zod';
import { parseAuditQuery, streamAuditEvents } from '../audit/query-events.js';
import type { AuditEvent } from '../audit/types.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import type { AccessDeps } from './deps.js';
import {
  type AccessReportEntry,
  type AccessReportQuery,
  EMERGENCY_ACCESS_OUTCOMES,
  type EmergencyAccessOutcome,
} from './types.js';

/** What the reports need. @internal */
export type AccessReportDeps = Omit<AccessDeps, 'events'>;

const querySchema = z.strictObject({
  subjectId: z.string(),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
});

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const isOutcome = (value: unknown): value is EmergencyAccessOutcome =>
  (EMERGENCY_ACCESS_OUTCOMES as readonly unknown[]).includes(value);

/** An audit event as a line of a person's access report. @internal */
export function toReportEntry(event: AuditEvent): AccessReportEntry {
  const m = event.metadata ?? {};
  const ids = strings(m.resourceIds);
  return {
    occurredAt: event.occurredAt,
    action: event.action,
    outcome: event.outcome,
    actor: event.actor,
    actorRole: text(m.actorRole),
    organizationId: event.organizationId,
    resourceType: event.resourceType,
    resourceIds: ids.length > 0 ? ids : event.resourceId !== null ? [event.resourceId] : [],
    purpose: text(m.purpose),
    emergencyAccessIds: strings(m.emergencyAccessIds),
    impersonator: event.impersonator,
    disclosure:
      event.action === 'access.disclosed'
        ? { recipient: text(m.recipient) ?? '', description: text(m.description) ?? '' }
        : null,
    review:
      event.action === 'access.emergency_reviewed' && isOutcome(m.outcome)
        ? { outcome: m.outcome }
        : null,
    eventId: event.id,
  };
}

/**
 * A person's report, oldest first, read a page at a time through the subject index (memory
 * stays flat however many events there are). The read is recorded before the first line.
 * @internal
 */
export function streamAccessReport(
  deps: AccessReportDeps,
  query: AccessReportQuery,
  kind: 'access' | 'disclosures',
): AsyncIterable<AccessReportEntry> {
  const what = kind === 'access' ? 'accessReport' : 'exportDisclosures';
  return {
    async *[Symbol.asyncIterator]() {
      parseInput(querySchema, query, `${what}: query`);
      const parsed = parseAuditQuery(
        {
          subjectId: query.subjectId,
          from: query.from,
          to: query.to,
          ...(kind === 'disclosures' ? { action: 'access.disclosed' } : {}),
        },
        what,
      );
      const current = deps.scope.current();
      let organizationId: string | undefined;
      if (current) {
        const session = current.session;
        if (!session) {
          throw new OrgkitError(
            'unauthenticated',
            `${what}: no authenticated session in this request`,
            {
              reason: 'no_session',
            },
          );
        }
        // A person reads everything recorded about them; anyone else reads their own
        // organization's events, with the review permission there.
        if (session.userId !== query.subjectId) {
          const org = session.organizationId ?? null;
          const allowed =
            org !== null &&
            (await deps.hasPermission(session.userId, deps.policy.reviewPermission, org));
          if (!allowed) {
            throw new OrgkitError(
              'forbidden',
              `${what}: another person's report requires the "${deps.policy.reviewPermission}" permission in the session's organization`,
              {
                reason: 'missing_permission',
                details: { missing: [deps.policy.reviewPermission] },
              },
            );
          }
          organizationId = org!;
        }
      }
      await deps.audit.record([
        {
          action: 'access.report_read',
          resourceType: 'access_report',
          resourceId: parsed.subjectId!,
          subjectIds: [parsed.subjectId!],
          ...(current ? {} : { actor: { system: 'access-report' }, organizationId: null }),
          metadata: {
            kind,
            ...(parsed.from ? { from: parsed.from.toISOString() } : {}),
            ...(parsed.to ? { to: parsed.to.toISOString() } : {}),
          },
        },
      ]);
      if (organizationId !== undefined) parsed.organizationId = organizationId;
      for await (const event of streamAuditEvents(deps.db, deps.tables, parsed, what)) {
        yield toReportEntry(event);
      }
    },
  };
}
