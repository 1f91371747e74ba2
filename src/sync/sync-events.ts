import * as z from 'zod';
import type { WorkOSClientLike } from '../config/workos-client.js';
import { isOrgkitError, OrgkitError, parseInput } from '../errors/index.js';
import { ATTR, METRIC, SPAN, type Telemetry, traced } from '../telemetry/index.js';
import { upstreamError } from '../workos-calls/upstream-error.js';
import { applyChanges, applyFailed, invalidateUsers } from './apply-change.js';
import { cursorExpired, lockCursor, readCursorState, touchCursor, writeCursor } from './cursor.js';
import { recordMembershipChanges, type SeenMembershipChange } from './membership-audit.js';
import { eventHeader, toMirrorChange } from './mirror-event.js';
import { recordRevocations, type SeenRevocation } from './revocation-marks.js';
import { EVENTS_RETENTION_DAYS, purgeTombstones } from './tombstones.js';
import type { SyncDeps, SyncEventsOptions, SyncEventsResult } from './types.js';
import { MIRRORED_EVENTS } from './types.js';

const optionsSchema = z
  .strictObject({
    limit: z.number().int().min(1).max(100).default(100),
    // Shorter than the Events API keeps events would let a listed event revive a deleted object.
    tombstoneRetentionDays: z
      .number()
      .int()
      .min(
        EVENTS_RETENTION_DAYS,
        `must be at least the Events API retention (${EVENTS_RETENTION_DAYS} days)`,
      )
      .max(36_500)
      .default(EVENTS_RETENTION_DAYS),
  })
  .prefault({});

interface EventPage {
  data: unknown[];
  after: string | undefined;
}

// WorkOS lists events oldest first and `after` moves forward (it ignores `order`, see
// workos/workos-node#1610); `order: 'asc'` makes the emulator, which defaults to newest first, agree.
async function fetchPage(
  workos: WorkOSClientLike,
  cursor: string | undefined,
  limit: number,
): Promise<EventPage> {
  try {
    const list = await workos.events.listEvents({
      events: [...MIRRORED_EVENTS],
      order: 'asc',
      limit,
      ...(cursor ? { after: cursor } : {}),
    });
    const data: unknown = list?.data;
    const after: unknown = list?.listMetadata?.after;
    return {
      data: Array.isArray(data) ? data : [],
      after: typeof after === 'string' && after ? after : undefined,
    };
  } catch (error) {
    // WorkOS refusing the `after` cursor itself (an event past the retention) is not an outage:
    // retrying cannot help, only a reconcile can.
    const failure = upstreamError('syncWorkOSEvents', error);
    if (cursor && CURSOR_REFUSED.has(failure.details?.status as number)) {
      throw cursorExpired('syncWorkOSEvents', error);
    }
    throw failure;
  }
}

const CURSOR_REFUSED = new Set([400, 404, 410, 422]);

/**
 * How far the mirror is behind WorkOS: the age of the page's newest event (`createdAt`, which
 * the SDK sets from `created_at`) when its changes are applied, as a gauge.
 */
function recordLag(telemetry: Telemetry | undefined, page: EventPage): void {
  const recorder = telemetry?.recorder();
  if (recorder === undefined) return;
  let newest = Number.NEGATIVE_INFINITY;
  for (const event of page.data) {
    const createdAt = (event as { createdAt?: unknown } | null)?.createdAt;
    const at = typeof createdAt === 'string' ? Date.parse(createdAt) : Number.NaN;
    if (at > newest) newest = at;
  }
  if (Number.isFinite(newest)) {
    recorder.gauge(METRIC.mirrorLag, Math.max(0, (Date.now() - newest) / 1000));
  }
}

/** The cursor after a page: WorkOS's own, else the last event id the page held. */
function cursorAfter(page: EventPage, previous: string | undefined): string | undefined {
  if (page.after) return page.after;
  for (let i = page.data.length - 1; i >= 0; i--) {
    const header = eventHeader(page.data[i]);
    if (header) return header.id;
  }
  return previous;
}

type PageOutcome =
  | { raced: true; cursor: string | undefined }
  | { raced: false; applied: number; userIds: string[] };

/** The Events API sync of {@link createWorkOSSync}. @internal */
export function createEventsSync(deps: SyncDeps, requireWorkOS: () => WorkOSClientLike) {
  const { db, tables } = deps;

  // One page in one transaction: lock the cursor row, check no concurrent run moved it since the
  // page was fetched, apply, store the new cursor. A crash leaves the cursor at the last whole page.
  const applyPage = (page: EventPage, from: string | undefined, to: string | undefined) =>
    db.transaction(async (tx): Promise<PageOutcome> => {
      const current = await lockCursor(tx, tables);
      if (current !== from) return { raced: true, cursor: current };
      let applied = 0;
      const userIds: string[] = [];
      const memberships: SeenMembershipChange[] = [];
      const revoked: SeenRevocation[] = [];
      const mirrored = page.data.flatMap((event) => {
        const change = toMirrorChange(event);
        return change ? [{ change, eventId: eventHeader(event)?.id }] : [];
      });
      // The whole page's object locks at once, in the order webhooks take theirs.
      const outcomes = await applyChanges(
        tx,
        tables,
        mirrored.map((m) => m.change),
      );
      outcomes.forEach((outcome, i) => {
        if (outcome.applied) applied++;
        userIds.push(...outcome.userIds);
        const eventId = mirrored[i]!.eventId;
        for (const m of outcome.memberships ?? []) memberships.push({ change: m, eventId });
        for (const mark of outcome.revocations ?? []) revoked.push({ mark, eventId });
      });
      // Last, so the page holds the audit chains' locks only for the end of its transaction.
      await recordMembershipChanges(tx, deps.recordAudit, 'workos-sync', memberships);
      await recordRevocations(tx, deps.recordAudit, 'workos-sync', revoked);
      if (to && to !== current) await writeCursor(tx, tables, to);
      return { raced: false, applied, userIds };
    });

  return async function syncWorkOSEvents(options?: SyncEventsOptions): Promise<SyncEventsResult> {
    const { limit, tombstoneRetentionDays } = parseInput(
      optionsSchema,
      options,
      'syncWorkOSEvents',
    );
    const workos = requireWorkOS();
    const result: SyncEventsResult = {
      applied: 0,
      ignored: 0,
      cursor: undefined,
      tombstonesPurged: 0,
    };
    const stored = await readCursorState(db, tables);
    if (stored.expired) throw cursorExpired('syncWorkOSEvents');
    let cursor = stored.cursor;
    for (;;) {
      const page = await traced(
        deps.telemetry,
        SPAN.eventsPage,
        { [ATTR.operation]: 'events.list' },
        () => fetchPage(workos, cursor, limit),
        (p) => ({ 'orgkit.sync.events': p.data.length }),
      );
      if (!page.data.length) break;
      const next = cursorAfter(page, cursor);
      let outcome: PageOutcome;
      try {
        outcome = await applyPage(page, cursor, next);
      } catch (error) {
        throw isOrgkitError(error) ? error : applyFailed('syncWorkOSEvents', error);
      }
      if (outcome.raced) {
        cursor = outcome.cursor;
        continue;
      }
      recordLag(deps.telemetry, page);
      result.applied += outcome.applied;
      result.ignored += page.data.length - outcome.applied;
      await invalidateUsers(deps.invalidateUser, outcome.userIds);
      const done = !page.after || next === cursor;
      cursor = next;
      if (done) break;
    }
    result.cursor = cursor;
    if (cursor) await touchCursor(db, tables, cursor);
    try {
      result.tombstonesPurged = await purgeTombstones(db, tables, tombstoneRetentionDays);
    } catch (error) {
      throw new OrgkitError(
        'internal',
        'syncWorkOSEvents: the events were applied, but purging old tombstones failed',
        { cause: error },
      );
    }
    return result;
  };
}
