import type { OrgkitDatabase } from '../db/database.js';
import type { ORGKIT_AUDIT_ACTIONS, OrgkitAuditAction } from './actions.js';
import type { AuditEventInput } from './types.js';

/** One of orgkit's own events; its resource type is the one its action names. @internal */
export type OrgkitAuditEventInput = {
  [A in OrgkitAuditAction]: AuditEventInput<A, (typeof ORGKIT_AUDIT_ACTIONS)[A]>;
}[OrgkitAuditAction];

/**
 * Writes orgkit's own events through the audit path (validation, redaction, hash chain); with
 * `tx`, inside the caller's transaction so the change and its events commit together.
 * `createOrgkit` passes the audit module's `record` to every capability.
 * @internal
 */
export type AuditRecorder = (
  events: readonly OrgkitAuditEventInput[],
  options?: { tx?: OrgkitDatabase | undefined },
) => Promise<void>;
