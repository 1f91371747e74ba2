import type { AuditActor } from '../audit/types.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { PurposeOfUse } from './purposes.js';

/** How orgkit treats reads of one resource type (`access.resourceTypes`). */
export interface AccessResourceTypeOptions {
  /** The type holds protected health information: every read needs a purpose. @default false */
  phi?: boolean;
  /**
   * A read whose access event cannot be written fails (`upstream_unavailable`, reason
   * `access_not_recorded`), so no data leaves unrecorded. @default true for PHI types, else false
   */
  failClosed?: boolean;
}

/** The `access` option of `createOrgkit`: access accounting and emergency access. */
export interface AccessOptions {
  /** The app's own purpose codes, beside the HL7 PurposeOfUse codes. */
  purposes?: readonly string[];
  /** Per resource type: PHI, and whether an unrecorded read fails. */
  resourceTypes?: Readonly<Record<string, AccessResourceTypeOptions>>;
  /**
   * The permission that reads another person's access report, list the emergency grants to
   * review, and review them (in the session's organization). A person always reads their own
   * report. @default the audit read permission ('audit:read')
   */
  reviewPermission?: string;
  /** The permission `breakGlass` needs, if any. @default none: any member of an organization */
  breakGlassPermission?: string;
  /** The longest emergency grant, in minutes. @default 240 */
  maxBreakGlassMinutes?: number;
  /**
   * Called after each emergency grant is committed (alert the privacy officer). A throw does not
   * take the access away: it is recorded as `access.break_glass_alert_failed`.
   */
  onBreakGlass?: (grant: EmergencyAccessGrant) => void | Promise<void>;
}

/** Options of `recordAccess`. */
export interface RecordAccessOptions {
  /** Why the records were read. Required for PHI types. */
  purpose?: PurposeOfUse | undefined;
  /** The people whose records these are (a patient's user id), at most 100. */
  subjectIds?: readonly string[] | undefined;
  /**
   * Write inside this transaction (the one that read the rows): the event commits with it, in
   * the same round trips. Without it, the calls of one request made together are written in
   * one statement before any of them returns.
   */
  tx?: OrgkitDatabase | undefined;
  /** Outside a request scope: who read. */
  actor?: AuditActor | undefined;
  /** Outside a request scope: the organization. */
  organizationId?: string | null | undefined;
}

/** What `recordAccess` did. */
export interface AccessRecordResult {
  /** False only when the write failed for a type that is not fail-closed. */
  recorded: boolean;
  /** The caller's emergency grants the read was made under (their ids), if any. */
  emergencyAccessIds: string[];
}

/** Options of `recordDisclosure`: a disclosure outside the practice (HIPAA 164.528). */
export interface RecordDisclosureOptions {
  /** Who received the records (a name or organization; not PHI). */
  recipient: string;
  /** What was disclosed, briefly. */
  description: string;
  purpose: PurposeOfUse;
  subjectIds: readonly string[];
  tx?: OrgkitDatabase | undefined;
  actor?: AuditActor | undefined;
  organizationId?: string | null | undefined;
}

/** What `breakGlass` takes: one subject's records, or one resource. */
export type BreakGlassInput = {
  /** Why: required, at least 3 characters; the reviewer reads it. */
  reason: string;
  /** How long, 1 to `access.maxBreakGlassMinutes`. @default 60 */
  minutes?: number | undefined;
} & (
  | { subjectId: string; resource?: undefined }
  | { resource: { type: string; id: string }; subjectId?: undefined }
);

/** An emergency access grant. */
export interface EmergencyAccessGrant {
  id: string;
  granteeUserId: string;
  organizationId: string | null;
  subjectId: string | null;
  resource: { type: string; id: string } | null;
  reason: string;
  grantedAt: Date;
  /** By the database clock; policies compare it with the database's `now()`. */
  expiresAt: Date;
  review: {
    reviewedAt: Date;
    reviewerUserId: string;
    outcome: EmergencyAccessOutcome;
    note: string | null;
  } | null;
}

/** A reviewer's verdict on an emergency access. */
export type EmergencyAccessOutcome = (typeof EMERGENCY_ACCESS_OUTCOMES)[number];

/** The verdicts a review may record. @internal */
export const EMERGENCY_ACCESS_OUTCOMES = ['appropriate', 'inappropriate'] as const;

/** Options of `listEmergencyAccessForReview`. */
export interface EmergencyAccessListOptions {
  /** Also list grants already reviewed. @default false */
  includeReviewed?: boolean;
  /** Outside a request: the organization (`null` lists every organization's). */
  organizationId?: string | null | undefined;
  /** 1–500. @default 100 */
  limit?: number;
}

/** Options of `accessReport` and `exportDisclosures`. */
export interface AccessReportQuery {
  /** The person the report is about. */
  subjectId: string;
  /** Events at or after this time. */
  from?: Date | string | undefined;
  /** Events before this time. */
  to?: Date | string | undefined;
}

/** One line of an access report: who touched the subject's records, when, and why. */
export interface AccessReportEntry {
  occurredAt: Date;
  /** The event's action (`access.read`, `access.disclosed`, a change event …). */
  action: string;
  outcome: string;
  actor: AuditActor | null;
  /** The actor's organization role when the event was recorded, if known. */
  actorRole: string | null;
  organizationId: string | null;
  resourceType: string | null;
  resourceIds: string[];
  purpose: string | null;
  /** The emergency grants the access was made under; empty for ordinary access. */
  emergencyAccessIds: string[];
  impersonator: { email: string; reason: string | null } | null;
  /** Set for disclosures. */
  disclosure: { recipient: string; description: string } | null;
  /**
   * Set for a review of emergency access (`access.emergency_reviewed`, the grant's id in
   * `resourceIds`): the reviewer's verdict. The reviewer's note is not in the report.
   */
  review: { outcome: EmergencyAccessOutcome } | null;
  eventId: string;
}

/** Access accounting: reads with a purpose, disclosures, emergency access, per-person reports. */
export interface AccessApi {
  /**
   * Records that the current user read `resourceIds` of `resourceType`: one `access.read`
   * event per request, resource type and purpose, written before it returns (await it before
   * the data leaves). PHI types need a purpose; an emergency grant the read falls under is
   * marked on the event.
   *
   * @example
   * ```ts
   * const notes = await db.select().from(visitNotes).where(eq(visitNotes.patientId, id))
   * await orgkit.recordAccess('visit_note', notes.map((n) => n.id), { purpose: 'TREAT', subjectIds: [id] })
   * return notes
   * ```
   */
  recordAccess(
    resourceType: string,
    resourceIds: string | number | readonly (string | number)[],
    options?: RecordAccessOptions,
  ): Promise<AccessRecordResult>;
  /**
   * Wraps a read so a route declares its accounting once: the returned function runs `read`,
   * records the rows it returned, and only then hands them back.
   *
   * @example
   * ```ts
   * const readNotes = orgkit.accessed('visit_note', (patientId: string) => loadNotes(patientId), {
   *   purpose: 'TREAT', ids: (note) => note.id, subjectIds: (note) => [note.patientId],
   * })
   * const notes = await readNotes(patientId)
   * ```
   */
  accessed<Args extends unknown[], Row>(
    resourceType: string,
    read: (...args: Args) => Promise<readonly Row[]>,
    describe: {
      purpose?: PurposeOfUse | ((...args: Args) => PurposeOfUse | undefined);
      ids: (row: Row) => string | number;
      subjectIds?: (row: Row) => readonly string[];
    },
  ): (...args: Args) => Promise<Row[]>;
  /** Records a disclosure of records outside the practice (`access.disclosed`). */
  recordDisclosure(
    resourceType: string,
    resourceIds: string | number | readonly (string | number)[],
    options: RecordDisclosureOptions,
  ): Promise<void>;
  /**
   * Emergency access: makes one subject's rows (or one resource) visible to the current user
   * for `minutes`, through the RLS policies of tables declared with `emergencyAccess`. Needs a
   * reason; records `access.break_glass`, calls `access.onBreakGlass`, and puts the grant on
   * the review list.
   */
  breakGlass(input: BreakGlassInput): Promise<EmergencyAccessGrant>;
  /** Emergency grants waiting for review, oldest first (reading the list is recorded). */
  listEmergencyAccessForReview(
    options?: EmergencyAccessListOptions,
  ): Promise<EmergencyAccessGrant[]>;
  /** Records a reviewer's verdict on an emergency grant, once (`access.emergency_reviewed`). */
  reviewEmergencyAccess(
    id: string,
    review: { outcome: EmergencyAccessOutcome; note?: string | undefined },
  ): Promise<EmergencyAccessGrant>;
  /**
   * Everything recorded about one person, oldest first, streamed in pages (memory flat):
   * reads, disclosures, changes, with purpose, emergency and impersonation marked. Inside a
   * request, the person themselves or a holder of `access.reviewPermission` (that
   * organization's events only); reading it is recorded as `access.report_read`.
   */
  accessReport(query: AccessReportQuery): AsyncIterable<AccessReportEntry>;
  /** The accounting of disclosures for one person (HIPAA 164.528), streamed like `accessReport`. */
  exportDisclosures(query: AccessReportQuery): AsyncIterable<AccessReportEntry>;
}
