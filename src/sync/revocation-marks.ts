import { sql } from 'drizzle-orm';
import type { AuditRecorder, OrgkitAuditEventInput } from '../audit/recorder.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables, TokenRevocationKind } from '../db/tables.js';
import type { MirrorActor } from './membership-audit.js';
import type { MirrorChange } from './mirror-event.js';
import type { ChangeOutcome } from './row-guard.js';

/** A revocation a mirror change makes: what of `userId`'s older tokens stops counting. @internal */
export interface RevocationMark {
  userId: string;
  kind: TokenRevocationKind;
  /** The organization id (`claims`), the WorkOS session id (`session`), or `''` (`sessions`). */
  subject: string;
  /** When WorkOS made the change; the mark is never earlier than the time it is written. */
  at: Date;
  /** What made it: `membership.updated`, `user.deleted`, `session.revoked`, … */
  cause: string;
}

/**
 * The marks one applied change makes. A membership whose grant changed or went takes the role
 * claims of the user's older tokens for that organization; a deleted user and a revoked session
 * take the tokens themselves. A membership created, or a duplicate delivery, marks nothing:
 * adding access waits for a new token, as it always did.
 * @internal
 */
export function marksOf(change: MirrorChange, outcome: ChangeOutcome): RevocationMark[] {
  const marks: RevocationMark[] = [];
  const at = change.data.updatedAt;
  for (const m of outcome.memberships ?? []) {
    if (m.action === 'membership.created') continue;
    const cause = m.cause ?? m.action;
    marks.push({ userId: m.userId, kind: 'claims', subject: m.organizationId, at, cause });
  }
  // Even for a user the mirror never held: WorkOS has ended their sessions, their tokens live on.
  if (change.kind === 'user' && change.op === 'delete') {
    marks.push({
      userId: change.data.id,
      kind: 'sessions',
      subject: '',
      at,
      cause: 'user.deleted',
    });
  }
  if (change.kind === 'session') {
    const { userId, id } = change.data;
    marks.push({ userId, kind: 'session', subject: id, at, cause: 'session.revoked' });
  }
  return marks;
}

/**
 * Writes marks inside the caller's transaction. `revoked_at` is the later of the change's time
 * and now (a clock behind WorkOS's must not let a token minted before the change through), and
 * only ever moves forward.
 * @internal
 */
export async function writeRevocationMarks(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  marks: readonly RevocationMark[],
): Promise<void> {
  if (marks.length === 0) return;
  const r = tables.tokenRevocations;
  // One row per key, or Postgres refuses to update a row twice in one statement.
  const byKey = new Map<string, RevocationMark>();
  for (const mark of marks) {
    const key = `${mark.userId}\u0000${mark.kind}\u0000${mark.subject}`;
    const seen = byKey.get(key);
    if (!seen || seen.at < mark.at) byKey.set(key, mark);
  }
  await tx
    .insert(r)
    .values(
      [...byKey.values()].map((m) => ({
        workosUserId: m.userId,
        kind: m.kind,
        subject: m.subject,
        revokedAt: sql`greatest(now(), ${m.at.toISOString()}::timestamptz)`,
      })),
    )
    .onConflictDoUpdate({
      target: [r.workosUserId, r.kind, r.subject],
      set: {
        revokedAt: sql`greatest(${r.revokedAt}, excluded.${sql.identifier(r.revokedAt.name)})`,
        updatedAt: sql`now()`,
      },
    });
}

/** A mark and the WorkOS event that carried it, if any. @internal */
export interface SeenRevocation {
  mark: RevocationMark;
  eventId?: string | undefined;
}

/**
 * Records the revocations that end sessions (`session.revoked`, `user.sessions_revoked`) in the
 * transaction that wrote them. A `claims` mark is recorded by the membership event that made it.
 * @internal
 */
export async function recordRevocations(
  tx: OrgkitDatabase,
  record: AuditRecorder | undefined,
  actor: MirrorActor,
  seen: readonly SeenRevocation[],
): Promise<void> {
  if (!record) return;
  const events: OrgkitAuditEventInput[] = [];
  for (const { mark, eventId } of seen) {
    if (mark.kind === 'claims') continue;
    const metadata = { userId: mark.userId, cause: mark.cause, ...(eventId ? { eventId } : {}) };
    events.push(
      mark.kind === 'session'
        ? {
            action: 'session.revoked',
            resourceType: 'session',
            resourceId: mark.subject,
            actor: { system: actor },
            metadata,
          }
        : {
            action: 'user.sessions_revoked',
            resourceType: 'user',
            resourceId: mark.userId,
            actor: { system: actor },
            metadata,
          },
    );
  }
  if (events.length) await record(events, { tx });
}
