import type { AuditRecorder } from '../audit/recorder.js';
import type { WorkOSClientLike } from '../config/workos-client.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { Telemetry } from '../telemetry/index.js';

/** What the WorkOS sync needs from `createOrgkit`. @internal */
export interface SyncDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  workos: WorkOSClientLike | undefined;
  webhooks: { secret: string; toleranceMs: number } | undefined;
  /** Drops cached roles of a user whose user row or memberships changed. */
  invalidateUser(userId: string): Promise<void>;
  /**
   * Records membership changes in the transaction that applies them. `createOrgkit` always
   * passes it; without it (a sync built alone) nothing is recorded.
   */
  recordAudit?: AuditRecorder | undefined;
  /** Spans of webhooks, event pages and reconciles. @default off */
  telemetry?: Telemetry | undefined;
}

/** The outcome of {@link SyncApi.handleWorkOSWebhook}. */
export interface WebhookResult {
  eventId: string;
  /** The event type, e.g. `organization_membership.updated`. */
  event: string;
  /** False for events orgkit does not mirror, duplicates, and events older than the row. */
  applied: boolean;
}

/** The outcome of {@link SyncApi.syncWorkOSEvents}. */
export interface SyncEventsResult {
  /** Events that changed the mirror. */
  applied: number;
  /** Events seen that changed nothing: other types, duplicates, older than the row, malformed. */
  ignored: number;
  /** The stored cursor (last event id read), if any. */
  cursor: string | undefined;
  /** Tombstones older than `tombstoneRetentionDays` removed by this sync (at most 1,000 a run). */
  tombstonesPurged: number;
}

/** Options of {@link SyncApi.syncWorkOSEvents}. */
export interface SyncEventsOptions {
  /** Events per page, 1–100. @default 100 */
  limit?: number;
  /**
   * Days a deletion is remembered (so a late event cannot bring the object back) before the sync
   * purges it; at least WorkOS's Events retention, 30–36,500. @default 30
   */
  tombstoneRetentionDays?: number;
}

/** Keeps the users / organizations / memberships mirror in step with WorkOS. */
export interface SyncApi {
  /**
   * Verifies a WorkOS webhook (`WorkOS-Signature` header) on the raw request body and applies it.
   * Forged, malformed or stale signatures throw `webhook_invalid` and change nothing.
   */
  handleWorkOSWebhook(
    rawBody: string,
    signatureHeader: string | null | undefined,
  ): Promise<WebhookResult>;
  /**
   * Pulls the Events API from the stored cursor to the end and applies every page, then purges
   * tombstones older than the retention window.
   */
  syncWorkOSEvents(options?: SyncEventsOptions): Promise<SyncEventsResult>;
  /**
   * Rebuilds the mirror from WorkOS's list endpoints (users, organizations, memberships): upserts
   * what WorkOS has, removes (and tombstones) what it no longer has, then points the Events API
   * cursor at the newest event so `syncWorkOSEvents` resumes from there. Run it when
   * `syncWorkOSEvents` throws `conflict` with reason `cursor_expired`, or after an outage.
   * Idempotent: a second run changes nothing.
   */
  reconcileWorkOSMirror(options?: ReconcileOptions): Promise<ReconcileReport>;
}

/** Options of {@link SyncApi.reconcileWorkOSMirror}. */
export interface ReconcileOptions {
  /** Objects per list page, 1–100. @default 100 */
  limit?: number;
}

/** What {@link SyncApi.reconcileWorkOSMirror} did to one kind of mirrored object. */
export interface ReconcileCounts {
  /** Rows created or updated to match WorkOS. */
  upserted: number;
  /** Rows WorkOS no longer has, removed (and tombstoned as a delete event would). */
  removed: number;
  /** Objects WorkOS listed that the mirror already matched (or held in a newer state). */
  unchanged: number;
  /** Objects WorkOS listed that could not be read (e.g. a membership without a role). */
  skipped: number;
}

/** The outcome of {@link SyncApi.reconcileWorkOSMirror}. */
export interface ReconcileReport {
  users: ReconcileCounts;
  organizations: ReconcileCounts;
  memberships: ReconcileCounts;
  /** The Events API cursor stored for the next sync: the newest event, if WorkOS has any. */
  cursor: string | undefined;
}

/**
 * The events orgkit applies: the mirror's objects, and `session.revoked`, which refuses the
 * session's tokens from then on.
 */
export const MIRRORED_EVENTS = [
  'user.created',
  'user.updated',
  'user.deleted',
  'organization.created',
  'organization.updated',
  'organization.deleted',
  'organization_membership.created',
  'organization_membership.updated',
  'organization_membership.deleted',
  'session.revoked',
] as const;

export type MirroredEvent = (typeof MIRRORED_EVENTS)[number];
