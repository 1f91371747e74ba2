import type { WorkOSClientLike } from '../config/workos-client.js';
import { MEMBERSHIP_STATUSES } from '../db/tables.js';
import type { Telemetry } from '../telemetry/index.js';
import { type CallContext, callWorkOS } from '../workos-calls/call.js';
import { RateLimitGate } from '../workos-calls/retry.js';
import { eventHeader } from './mirror-event.js';
import { MIRRORED_EVENTS } from './types.js';

/** Retries of the reconcile's list calls: reads, so every retryable failure is retried. @internal */
export function listingContext(telemetry?: Telemetry): CallContext {
  return {
    telemetry,
    policy: { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 4_000, maxRetryAfterMs: 60_000 },
    gate: new RateLimitGate(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    beforeWait: async () => {},
  };
}

interface Page {
  data: unknown[];
  after: string | undefined;
}

function pageOf(list: unknown): Page {
  const { data, listMetadata } = (list ?? {}) as { data?: unknown; listMetadata?: unknown };
  const after = (listMetadata as { after?: unknown } | undefined)?.after;
  return {
    data: Array.isArray(data) ? data : [],
    after: typeof after === 'string' && after ? after : undefined,
  };
}

/** Every object a paginated WorkOS list returns, following `after` to the end. */
export async function listAll(
  ctx: CallContext,
  operation: string,
  list: (after: string | undefined) => Promise<unknown>,
): Promise<unknown[]> {
  const all: unknown[] = [];
  let after: string | undefined;
  for (;;) {
    const cursor = after;
    const page = pageOf(await callWorkOS(ctx, operation, () => list(cursor)));
    all.push(...page.data);
    if (!page.after || page.after === after || page.data.length === 0) return all;
    after = page.after;
  }
}

/** What WorkOS holds now: every user, organization and organization membership. @internal */
export interface WorkOSSnapshot {
  users: unknown[];
  organizations: unknown[];
  memberships: unknown[];
}

/**
 * Lists users, organizations and, per organization (the endpoint wants a user or an
 * organization), their memberships of every status.
 * @internal
 */
export async function listWorkOSObjects(
  ctx: CallContext,
  workos: WorkOSClientLike,
  limit: number,
): Promise<WorkOSSnapshot> {
  const op = 'reconcileWorkOSMirror';
  const users = await listAll(ctx, op, (after) =>
    workos.userManagement.listUsers({ limit, ...(after ? { after } : {}) }),
  );
  const organizations = await listAll(ctx, op, (after) =>
    workos.organizations.listOrganizations({ limit, ...(after ? { after } : {}) }),
  );
  const memberships: unknown[] = [];
  for (const org of organizations) {
    const organizationId = (org as { id?: unknown }).id;
    if (typeof organizationId !== 'string') continue;
    memberships.push(
      ...(await listAll(ctx, op, (after) =>
        workos.userManagement.listOrganizationMemberships({
          organizationId,
          statuses: [...MEMBERSHIP_STATUSES],
          limit,
          ...(after ? { after } : {}),
        }),
      )),
    );
  }
  return { users, organizations, memberships };
}

// Most environments have events in the last day; a quiet one is walked from the start of the
// retention (reads only, 100 events a page).
const RECENT_MS = 24 * 60 * 60 * 1000;

/**
 * The id of the newest mirrored event WorkOS has, or undefined when it has none: the cursor from
 * which the Events API sync resumes. WorkOS lists events oldest first whatever `order` says, so
 * the list is walked to its end, from a day ago first.
 * @internal
 */
export async function latestEventCursor(
  ctx: CallContext,
  workos: WorkOSClientLike,
  now: Date,
): Promise<string | undefined> {
  const walk = async (rangeStart: string | undefined) => {
    let last: string | undefined;
    let after: string | undefined;
    for (;;) {
      const cursor = after;
      const page = pageOf(
        await callWorkOS(ctx, 'reconcileWorkOSMirror', () =>
          workos.events.listEvents({
            events: [...MIRRORED_EVENTS],
            order: 'asc',
            limit: 100,
            ...(rangeStart ? { rangeStart } : {}),
            ...(cursor ? { after: cursor } : {}),
          }),
        ),
      );
      for (const event of page.data) last = eventHeader(event)?.id ?? last;
      const next = page.after ?? last;
      if (!page.data.length || !page.after || next === after) return last;
      after = next;
    }
  };
  return (await walk(new Date(now.getTime() - RECENT_MS).toISOString())) ?? (await walk(undefined));
}
