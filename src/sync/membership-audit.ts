import type { AuditRecorder, OrgkitAuditEventInput } from '../audit/recorder.js';
import type { OrgkitDatabase } from '../db/database.js';

/** What a membership grants, as its audit events record it. @internal */
export type MembershipGrant = {
  role: string;
  roles: string[];
  status: string;
};

/** A change the mirror made to a membership's grant. @internal */
export type MembershipChange = {
  /** The WorkOS membership id. */
  id: string;
  userId: string;
  organizationId: string;
  /** Why a membership went without its own event (`user.deleted`, `organization.deleted`). */
  cause?: string;
} & (
  | { action: 'membership.created'; after: MembershipGrant }
  | { action: 'membership.updated'; before: MembershipGrant; after: MembershipGrant }
  | { action: 'membership.deleted'; before: MembershipGrant }
);

/** Who made the mirror change: the Events API sync, a webhook, or guest provisioning. */
export type MirrorActor = 'workos-sync' | 'workos-webhook' | 'guest-provisioning';

/** A membership change and the WorkOS event that carried it, if any. @internal */
export interface SeenMembershipChange {
  change: MembershipChange;
  eventId?: string | undefined;
}

const grantOf = (grant: MembershipGrant): MembershipGrant => ({
  role: grant.role,
  roles: [...grant.roles],
  status: grant.status,
});

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Whether the role, the set of roles or the status differ: what role resolution reads. A new
 * order of the same roles, or a newer `updatedAt` alone, grants nothing new.
 * @internal
 */
export function grantChanged(before: MembershipGrant, after: MembershipGrant): boolean {
  const roles = (grant: MembershipGrant) => [...new Set(grant.roles)].sort(compareText).join('\n');
  return (
    before.role !== after.role || before.status !== after.status || roles(before) !== roles(after)
  );
}

function toAuditEvent(seen: SeenMembershipChange, actor: MirrorActor): OrgkitAuditEventInput {
  const { change, eventId } = seen;
  return {
    action: change.action,
    resourceType: 'membership',
    resourceId: change.id,
    actor: { system: actor },
    organizationId: change.organizationId,
    changes: {
      oldValues: change.action === 'membership.created' ? null : grantOf(change.before),
      newValues: change.action === 'membership.deleted' ? null : grantOf(change.after),
    },
    metadata: {
      userId: change.userId,
      ...(eventId ? { eventId } : {}),
      ...(change.cause ? { cause: change.cause } : {}),
    },
  };
}

// Bind parameters per INSERT stay far below Postgres's 65,535 at this size.
const CHUNK = 500;

/**
 * Records membership changes inside the transaction that made them. Events are written grouped
 * by organization (stable within one), so every transaction takes the chains' head locks in the
 * same order and two of them cannot deadlock on each other's chains.
 * @internal
 */
export async function recordMembershipChanges(
  tx: OrgkitDatabase,
  record: AuditRecorder | undefined,
  actor: MirrorActor,
  changes: readonly SeenMembershipChange[],
): Promise<void> {
  if (!record || changes.length === 0) return;
  const events = changes
    .map((seen) => toAuditEvent(seen, actor))
    .sort((a, b) => compareText(a.organizationId ?? '', b.organizationId ?? ''));
  for (let i = 0; i < events.length; i += CHUNK) {
    await record(events.slice(i, i + CHUNK), { tx });
  }
}
