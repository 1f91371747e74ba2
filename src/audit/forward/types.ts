/** What one `forwardAuditEvents()` run did. */
export interface AuditForwardResult {
  /** Events WorkOS accepted (or had already accepted: the event id is the idempotency key). */
  sent: number;
  /** Events that failed this time and wait for their next attempt. */
  retrying: number;
  /** Events given up on after `maxAttempts`, left in the outbox with their last error. */
  failed: number;
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
  /** How long a drain holds a batch before another drain may take it over. @default 60000 */
  leaseMs?: number | undefined;
}
