import type { OrgkitDatabase } from '../db/database.js';
import type { AuditCheckpoint } from './checkpoint.js';
import type { AuditActionOf, AuditResourceTypeOf, OpenAuditEvents } from './define-audit-events.js';
import type { AuditForwardResult } from './forward/types.js';
import type { JsonObject } from './json-value.js';
import type { AuditChainReport, VerifyAuditChainOptions } from './verify-chain.js';

/** Who acted: a user, or a named system job. */
export type AuditActor = { userId: string } | { system: string };

/** What changed, as the seed records it. */
export interface AuditChanges {
  oldValues?: Record<string, unknown> | null | undefined;
  newValues?: Record<string, unknown> | null | undefined;
}

/** How an action ended (NIST AU-3 "outcome"). */
export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Options of `logAuditEvent` and `logAuditEvents`. */
export interface LogAuditOptions {
  /**
   * Write inside this drizzle transaction, so the change and its audit event commit or roll
   * back together. Without it the event is committed before the call returns.
   */
  tx?: OrgkitDatabase | undefined;
  /**
   * Who acted. Inside a request scope, the session's user by default; outside one (jobs,
   * scripts) it is required.
   */
  actor?: AuditActor | undefined;
  /**
   * The organization whose chain records the event; `null` for the chain of events without
   * one. @default the session's organization inside a request scope, else `null`
   */
  organizationId?: string | null | undefined;
  /** @default 'success' */
  outcome?: AuditOutcome | undefined;
  /** The people whose data the event concerns (see {@link AuditEventInput.subjectIds}). */
  subjectIds?: readonly string[] | undefined;
}

/** One event of a batch (`logAuditEvents`). */
export interface AuditEventInput<A extends string = string, R extends string = string> {
  action: A;
  resourceType: R;
  resourceId: string | number | null;
  changes?: AuditChanges | undefined;
  metadata?: Record<string, unknown> | undefined;
  actor?: AuditActor | undefined;
  organizationId?: string | null | undefined;
  outcome?: AuditOutcome | undefined;
  /**
   * The people whose data the event concerns (a patient's user id), at most 100: their access
   * reports (`accessReport`) list the event. Change events name them too.
   */
  subjectIds?: readonly string[] | undefined;
}

/** What a write returns: where the event sits in its chain. */
export interface LoggedAuditEvent {
  /** The row id (a bigint, as a decimal string). */
  id: string;
  /** The organization whose chain holds it (`null`: the chain of no organization). */
  organizationId: string | null;
  /** Position in the chain: 1, 2, 3, … */
  seq: number;
  hash: string;
  /** Set by the database clock, in milliseconds. */
  occurredAt: Date;
}

/** A stored event, as queries and exports return it. */
export interface AuditEvent extends LoggedAuditEvent {
  action: string;
  outcome: string;
  /** `null` only for events written outside orgkit without an actor. */
  actor: AuditActor | null;
  resourceType: string | null;
  resourceId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  changes: { oldValues: JsonObject | null; newValues: JsonObject | null };
  metadata: JsonObject | null;
  /** The people the event concerns; empty when it names none. */
  subjectIds: string[];
  /** Set when a dashboard user acted as the user (the session's `act` claim). */
  impersonator: { email: string; reason: string | null } | null;
  prevHash: string;
}

/** Filters of `queryAuditEvents`; every one given must match. */
export interface AuditQuery {
  /**
   * The organization (`null`: events without one). Inside a request scope it defaults to the
   * session's organization and the caller needs `audit.readPermission` there.
   */
  organizationId?: string | null | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  /** Events naming this data subject (index-backed). */
  subjectId?: string | undefined;
  /** Events at or after this time. */
  from?: Date | string | undefined;
  /** Events before this time. */
  to?: Date | string | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
  /** 1–500. @default 50 */
  limit?: number | undefined;
}

/** A page of events, newest first. */
export interface AuditEventPage {
  events: AuditEvent[];
  /** `null` on the last page. */
  nextCursor: string | null;
}

/** What `purgeExpiredAuditEvents` did, per chain that lost events. */
export interface AuditPurgeResult {
  cutoff: Date;
  chains: { organizationId: string | null; throughSeq: number; eventsPurged: number }[];
  eventsPurged: number;
}

/** Options of `purgeExpiredAuditEvents`. */
export interface PurgeAuditOptions {
  /** @default the instance's `audit.retentionDays` (7 years) */
  retentionDays?: number | undefined;
}

/**
 * Audit logging (seed 1.2): context-aware, append-only, hash-chained per organization.
 * `E` is the app's vocabulary from `defineAuditEvents`.
 */
export interface AuditApi<E = OpenAuditEvents> {
  /**
   * Records one event and returns once it is committed (or, with `{ tx }`, once it is written
   * in that transaction). Actor, organization, IP, user agent and request id come from the
   * request scope; outside one pass `{ actor, organizationId }`.
   *
   * @example
   * ```ts
   * await orgkit.logAuditEvent('meeting.cancelled', 'meeting', meeting.id,
   *   { oldValues: { status: 'booked' }, newValues: { status: 'cancelled' } },
   *   { reason: 'guest request' })
   * ```
   */
  logAuditEvent(
    action: AuditActionOf<E>,
    resourceType: AuditResourceTypeOf<E>,
    resourceId: string | number | null,
    changes?: AuditChanges | null,
    metadata?: Record<string, unknown> | null,
    options?: LogAuditOptions,
  ): Promise<LoggedAuditEvent>;
  /** Records many events in one statement (1–1,000), in order; all or none are written. */
  logAuditEvents(
    events: readonly AuditEventInput<AuditActionOf<E>, AuditResourceTypeOf<E>>[],
    options?: Pick<LogAuditOptions, 'tx'>,
  ): Promise<LoggedAuditEvent[]>;
  /** Events matching `query`, newest first, a page at a time (index-backed). */
  queryAuditEvents(query?: AuditQuery): Promise<AuditEventPage>;
  /** Every event matching `query` (no cursor or limit), oldest first, streamed page by page. */
  exportAuditEvents(query?: Omit<AuditQuery, 'cursor' | 'limit'>): AsyncIterable<AuditEvent>;
  /** Recomputes every chain (or one) and reports the first broken link of each. */
  verifyAuditChain(options?: VerifyAuditChainOptions): Promise<AuditChainReport>;
  /** The head (seq and hash) of every chain, to keep outside the database. */
  createAuditCheckpoint(): Promise<AuditCheckpoint>;
  /** Removes whole chain prefixes older than the retention period, recording a checkpoint first. */
  purgeExpiredAuditEvents(options?: PurgeAuditOptions): Promise<AuditPurgeResult>;
  /** Sends events waiting in the outbox to WorkOS Audit Logs (`audit.forwardToWorkOS`). */
  forwardAuditEvents(): Promise<AuditForwardResult>;
}
