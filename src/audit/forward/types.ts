/**
 * What one `forwardAuditEvents()` run did. `sent + retrying + failed + skipped` is the number of
 * outbox rows the run took, less any whose lease another run took over mid-way.
 *
 * @example
 * ```ts
 * const { sent, retrying, abandoned } = await orgkit.forwardAuditEvents() // e.g. every minute
 * if (abandoned > 0) alert('audit events WorkOS did not take: see orgkit_audit_outbox.last_error')
 * ```
 */
export interface AuditForwardResult {
  /**
   * Events WorkOS accepted, now removed from the outbox. A repeat of an event WorkOS already
   * had is accepted without a second copy: each event has its own idempotency key.
   */
  sent: number;
  /**
   * Events waiting for a later attempt: one that failed this time, and the rest of its batch
   * when WorkOS was unavailable or rate-limited (those are put back without spending an attempt).
   */
  retrying: number;
  /**
   * Events given up on in this run: they used `maxAttempts`, or WorkOS refused them as invalid
   * (400, 404, 422). They stay in the outbox with their last error code.
   */
  failed: number;
  /** Outbox rows whose event was purged before it could be sent; removed, not sent. */
  skipped: number;
  /**
   * Events in the outbox given up on by this run or an earlier one, waiting for an operator
   * (`UPDATE orgkit_audit_outbox SET attempts = 0, next_attempt_at = now()` sends them again).
   */
  abandoned: number;
}

/** `createOrgkit({ audit: { forwardToWorkOS } })`: copy events to WorkOS Audit Logs. */
export interface AuditForwardOptions {
  /** Events leased and sent per batch. @default 50 */
  batchSize?: number | undefined;
  /** Attempts before an event is left for an operator. @default 10 */
  maxAttempts?: number | undefined;
  /** First retry delay; doubles per attempt, with jitter, capped at `maxDelayMs`. @default 1000 */
  baseDelayMs?: number | undefined;
  /** @default 300000 */
  maxDelayMs?: number | undefined;
  /**
   * How long a drain holds an event before another drain may take it over; renewed as each
   * event is sent. Keep the WorkOS client's `timeout` below it. @default 60000
   */
  leaseMs?: number | undefined;
}
