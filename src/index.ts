/**
 * `orgkit`: WorkOS sessions, hybrid roles and permissions, and Postgres data for multi-tenant apps.
 * @module orgkit
 */

export type {
  AccessApi,
  AccessOptions,
  AccessRecordResult,
  AccessReportEntry,
  AccessReportQuery,
  AccessResourceTypeOptions,
  BreakGlassInput,
  EmergencyAccessGrant,
  EmergencyAccessListOptions,
  EmergencyAccessOutcome,
  Hl7PurposeOfUse,
  PurposeOfUse,
  RecordAccessOptions,
  RecordDisclosureOptions,
} from './access/index.js';
export { HL7_PURPOSES_OF_USE } from './access/index.js';
export type {
  AuditActionOf,
  AuditActor,
  AuditApi,
  AuditChainProblem,
  AuditChainProblemKind,
  AuditChainReport,
  AuditChainStatus,
  AuditChanges,
  AuditCheckpoint,
  AuditEvent,
  AuditEventInput,
  AuditEventPage,
  AuditEvents,
  AuditForwardOptions,
  AuditForwardResult,
  AuditOutcome,
  AuditPurgeResult,
  AuditQuery,
  AuditRedactionOptions,
  AuditResourceTypeOf,
  JsonObject,
  JsonValue,
  LogAuditOptions,
  LoggedAuditEvent,
  OpenAuditEvents,
  OrgkitAuditAction,
  OrgkitAuditResourceType,
  PurgeAuditOptions,
  VerifyAuditChainOptions,
} from './audit/index.js';
export {
  DEFAULT_REDACTED_KEY_ENDINGS,
  defineAuditEvents,
  GENESIS_HASH,
  ORGKIT_ACCESS_ACTIONS,
  ORGKIT_AUDIT_ACTIONS,
  REDACTED,
  REDACTED_CHANGED,
} from './audit/index.js';
export type { WorkOSClientLike } from './config/workos-client.js';
export type {
  RequestScope,
  RequestScopeInit,
  SystemActor,
  UserActionOptions,
} from './context/index.js';
export { DEFAULT_MANAGE_USERS_PERMISSION } from './context/index.js';
export type { Orgkit, OrgkitConfig } from './create-orgkit.js';
export { createOrgkit } from './create-orgkit.js';
export type { OrgkitCoreConfig, OrgkitCoreInstance } from './create-orgkit-core.js';
export { createOrgkitCore } from './create-orgkit-core.js';
export type { OrgkitDatabase } from './db/database.js';
export type { OrgkitDatabaseOption } from './db/database-source.js';
export type { OrgkitErrorCode, OrgkitErrorOptions } from './errors/index.js';
export {
  HTTP_STATUS_BY_CODE,
  isOrgkitError,
  ORGKIT_ERROR_CODES,
  OrgkitError,
} from './errors/index.js';
export type {
  DefaultExpertSetupStep,
  ExpertSetupApi,
  ExpertSetupStatus,
  IncompleteExpert,
  IncompleteExpertsOptions,
  IncompleteExpertsPage,
  SetupScopeOptions,
  SetupStats,
} from './expert-setup/index.js';
export { DEFAULT_EXPERT_SETUP_STEPS } from './expert-setup/index.js';
export type {
  GuestCallOptions,
  GuestInput,
  GuestLimit,
  GuestLimitStore,
  GuestLimitsOptions,
  GuestsApi,
  GuestsOptions,
  GuestUser,
  HumanCheckRequest,
  MeetingGuest,
  MeetingGuestInput,
  RetryPolicy,
  VerifyHuman,
} from './guests/index.js';
export { guestEmailSchema, personalExternalId } from './guests/index.js';
export type {
  DefaultPreferences,
  DefaultPreferencesSchema,
  PreferencesApi,
  PreferencesSchema,
} from './preferences/index.js';
export { defaultPreferencesSchema } from './preferences/index.js';
export type { RevocationApi, SignOutEverywhereResult } from './revocation/index.js';
export type {
  Access,
  AccessControl,
  AccessControlDefinition,
  AppRoleOf,
  DefaultAccessControl,
  OrgRoleOf,
  PermissionDecision,
  PermissionOf,
  ResolvedRole,
  RoleKind,
  RoleOf,
  RoleQueryOptions,
  RolesRedisOption,
} from './roles/index.js';
export {
  DEFAULT_INVALIDATION_CHANNEL,
  defaultAccessControl,
  defineAccessControl,
} from './roles/index.js';
export type { Impersonator, Session, TokenRejectionReason } from './session/index.js';
export type {
  MirroredEvent,
  ReconcileCounts,
  ReconcileOptions,
  ReconcileReport,
  SyncApi,
  SyncEventsOptions,
  SyncEventsResult,
  WebhookRejectionReason,
  WebhookResult,
} from './sync/index.js';
export { MIRRORED_EVENTS } from './sync/index.js';
export type { TelemetryOptions } from './telemetry/index.js';
