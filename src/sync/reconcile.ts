import * as z from 'zod';
import type { WorkOSClientLike } from '../config/workos-client.js';
import { isOrgkitError, parseInput } from '../errors/index.js';
import { upstreamError } from '../workos-calls/upstream-error.js';
import { applyChanges, applyFailed, invalidateUsers } from './apply-change.js';
import { lockCursor, writeCursor } from './cursor.js';
import { recordMembershipChanges, type SeenMembershipChange } from './membership-audit.js';
import { type MirrorChange, upsertChangeOf } from './mirror-event.js';
import { recordRevocations } from './revocation-marks.js';
import type { ReconcileCounts, ReconcileOptions, ReconcileReport, SyncDeps } from './types.js';
import { latestEventCursor, listingContext, listWorkOSObjects } from './workos-listing.js';

const optionsSchema = z
  .strictObject({ limit: z.number().int().min(1).max(100).default(100) })
  .prefault({});

type Kind = 'user' | 'organization' | 'membership';
const REPORT_KEY = {
  user: 'users',
  organization: 'organizations',
  membership: 'memberships',
} as const;

// Changes per transaction: few enough that one batch holds its object locks briefly.
const BATCH = 100;

// A mirror row WorkOS did not list is removed only if WorkOS last changed it before the
// reconcile began, less this margin for the two clocks: a row a webhook wrote meanwhile, for an
// object created after its list page was read, stays.
const CLOCK_MARGIN_MS = 60_000;

const idOf = (object: unknown): string | undefined => {
  const id = (object as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : undefined;
};

async function mirroredIds(deps: SyncDeps): Promise<Record<Kind, string[]>> {
  const { db, tables } = deps;
  const u = tables.users;
  const o = tables.organizations;
  const m = tables.userOrgMemberships;
  const [users, organizations, memberships] = [
    await db.select({ id: u.workosUserId }).from(u),
    await db.select({ id: o.workosOrgId }).from(o),
    await db.select({ id: m.workosMembershipId }).from(m),
  ];
  return {
    user: users.map((r) => r.id),
    organization: organizations.map((r) => r.id),
    membership: memberships.map((r) => r.id),
  };
}

/** The reconcile of {@link createWorkOSSync}. @internal */
export function createReconcile(deps: SyncDeps, requireWorkOS: () => WorkOSClientLike) {
  const { db, tables } = deps;

  const applyBatch = (changes: MirrorChange[]) =>
    db.transaction(async (tx) => {
      const outcomes = await applyChanges(tx, tables, changes);
      const memberships: SeenMembershipChange[] = outcomes.flatMap((o) =>
        (o.memberships ?? []).map((change) => ({ change, eventId: undefined })),
      );
      await recordMembershipChanges(tx, deps.recordAudit, 'workos-sync', memberships);
      const revoked = outcomes.flatMap((o) => (o.revocations ?? []).map((mark) => ({ mark })));
      await recordRevocations(tx, deps.recordAudit, 'workos-sync', revoked);
      return outcomes;
    });

  return async function reconcileWorkOSMirror(
    options?: ReconcileOptions,
  ): Promise<ReconcileReport> {
    const { limit } = parseInput(optionsSchema, options, 'reconcileWorkOSMirror');
    const workos = requireWorkOS();
    const startedAt = new Date();
    const ctx = listingContext(deps.telemetry);
    // The cursor is read BEFORE the listing: an event emitted while the lists are read is after
    // it, so the next sync replays it, and replaying is harmless (newer wins, tombstones hold).
    let cursor: string | undefined;
    let snapshot: Awaited<ReturnType<typeof listWorkOSObjects>>;
    try {
      cursor = await latestEventCursor(ctx, workos, startedAt);
      snapshot = await listWorkOSObjects(ctx, workos, limit);
    } catch (error) {
      throw upstreamError('reconcileWorkOSMirror', error);
    }

    const counts = (): ReconcileCounts => ({ upserted: 0, removed: 0, unchanged: 0, skipped: 0 });
    const report: ReconcileReport = {
      users: counts(),
      organizations: counts(),
      memberships: counts(),
      cursor,
    };
    const listed: Record<Kind, Set<string>> = {
      user: new Set(snapshot.users.flatMap((x) => idOf(x) ?? [])),
      organization: new Set(snapshot.organizations.flatMap((x) => idOf(x) ?? [])),
      membership: new Set(snapshot.memberships.flatMap((x) => idOf(x) ?? [])),
    };
    const upserts: MirrorChange[] = [];
    const addUpserts = (kind: Kind, objects: unknown[]) => {
      for (const object of objects) {
        const change = upsertChangeOf(kind, object);
        if (change) upserts.push(change);
        else report[REPORT_KEY[kind]].skipped++;
      }
    };
    // Owners before memberships; removals in the reverse order.
    addUpserts('organization', snapshot.organizations);
    addUpserts('user', snapshot.users);
    addUpserts('membership', snapshot.memberships);

    const removedAt = new Date(startedAt.getTime() - CLOCK_MARGIN_MS);
    const mirrored = await mirroredIds(deps);
    const removals: MirrorChange[] = (['membership', 'user', 'organization'] as const).flatMap(
      (kind) =>
        mirrored[kind]
          .filter((id) => !listed[kind].has(id))
          .map((id) => ({ kind, op: 'delete' as const, data: { id, updatedAt: removedAt } })),
    );

    const changes = [...upserts, ...removals];
    for (let i = 0; i < changes.length; i += BATCH) {
      const batch = changes.slice(i, i + BATCH);
      let outcomes: Awaited<ReturnType<typeof applyBatch>>;
      try {
        outcomes = await applyBatch(batch);
      } catch (error) {
        throw isOrgkitError(error) ? error : applyFailed('reconcileWorkOSMirror', error);
      }
      outcomes.forEach((outcome, j) => {
        const change = batch[j]!;
        // A reconcile lists objects: it makes no session revocations.
        if (change.kind === 'session') return;
        const tally = report[REPORT_KEY[change.kind]];
        if (change.op === 'delete') {
          if (outcome.applied) tally.removed++;
        } else if (outcome.applied) tally.upserted++;
        else tally.unchanged++;
      });
      await invalidateUsers(
        deps.invalidateUser,
        outcomes.flatMap((o) => o.userIds),
      );
    }

    try {
      await db.transaction(async (tx) => {
        await lockCursor(tx, tables);
        await writeCursor(tx, tables, cursor ?? '');
      });
    } catch (error) {
      throw applyFailed('reconcileWorkOSMirror: storing the Events API cursor', error);
    }
    return report;
  };
}
