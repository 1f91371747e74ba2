export type { OrgkitAuditAction, OrgkitAuditResourceType } from './actions.js';
export { ORGKIT_ACCESS_ACTIONS, ORGKIT_AUDIT_ACTIONS } from './actions.js';
export { GENESIS_HASH } from './canonical.js';
export type { AuditCheckpoint } from './checkpoint.js';
export type { AuditDeps, AuditModule } from './create-audit.js';
export { createAudit } from './create-audit.js';
export type { AuditLog, AuditLogDeps } from './create-audit-log.js';
export { createAuditLog } from './create-audit-log.js';
export type {
  AuditActionOf,
  AuditEvents,
  AuditResourceTypeOf,
  OpenAuditEvents,
} from './define-audit-events.js';
export { defineAuditEvents, openAuditEvents } from './define-audit-events.js';
export type { AuditForwardOptions, AuditForwardResult } from './forward/types.js';
export type { JsonObject, JsonValue } from './json-value.js';
export type { AuditRedactionOptions } from './redact.js';
export {
  createRedactor,
  DEFAULT_REDACTED_KEY_ENDINGS,
  REDACTED,
  REDACTED_CHANGED,
} from './redact.js';
export type {
  AuditActor,
  AuditApi,
  AuditChanges,
  AuditEvent,
  AuditEventInput,
  AuditEventPage,
  AuditOutcome,
  AuditPurgeResult,
  AuditQuery,
  LogAuditOptions,
  LoggedAuditEvent,
  PurgeAuditOptions,
} from './types.js';
export type {
  AuditChainProblem,
  AuditChainProblemKind,
  AuditChainReport,
  AuditChainStatus,
  VerifyAuditChainOptions,
} from './verify-chain.js';
