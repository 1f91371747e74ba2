/**
 * `orgkit/migrate`: the Clerk → WorkOS migration as a library. {@link migrateFromClerk} runs
 * the whole of it, crash-safe and resumable (and {@link undoMigrationFromClerk} takes it back),
 * from its parts: the input layer ({@link readClerkExport} streams Clerk's dashboard CSV or
 * Backend API JSON export as validated {@link ClerkUserRecord}s or rejections;
 * {@link readOrganizationMapping}, {@link readRoleMapping}, {@link classifyPasswordDigest},
 * {@link hashInputFile}), the WorkOS side ({@link runClerkMigration}, {@link undoClerkMigration}),
 * the database side ({@link createClerkMetadataImporter}, {@link rewriteClerkAppData},
 * {@link validateClerkMigration}) and the throttle ({@link createWriteLimiter},
 * {@link createProgressReporter}). {@link readClerkMigrationConfig} reads the config file the
 * `orgkit migrate clerk` command takes.
 * @module orgkit/migrate
 */
export type { OrgkitDatabase } from '../db/database.js';
export type {
  ClerkAppDataConfig,
  ClerkAppTable,
  ClerkAppTableRewrite,
  ClerkIdMapEntry,
  ClerkMetadataImporter,
  ClerkMetadataImporterOptions,
  ClerkMetadataOutcome,
  ClerkMetadataWarning,
  ClerkMetadataWarningCode,
  ClerkMigrationCheck,
  ClerkMigrationCheckName,
  ClerkMigrationReport,
  ClerkRoleMapping,
  MigratedClerkUser,
  RewriteClerkAppDataOptions,
  RewriteClerkAppDataResult,
  ValidateClerkMigrationOptions,
} from './data/index.js';
export {
  CLERK_METADATA_WARNING_CODES,
  CLERK_MIGRATION_ACTOR,
  CLERK_MIGRATION_CHECKS,
  createClerkMetadataImporter,
  formatClerkMigrationReport,
  parseClerkAppDataConfig,
  rewriteClerkAppData,
  SEED_CLERK_ROLE_MAPPING,
  validateClerkMigration,
} from './data/index.js';
export type {
  ClassifyPasswordDigestInput,
  ClerkExportEntry,
  ClerkPasswordDigest,
  ClerkRecordRejection,
  ClerkRecordWarning,
  ClerkRejectionCode,
  ClerkUserRecord,
  InputSource,
  MappingEntry,
  OrganizationMappingRow,
  PasswordImport,
  PasswordNotImportableCode,
  ReadClerkExportOptions,
  ReadMappingOptions,
  RoleMappingRow,
  SecretValue,
} from './input/index.js';
export {
  CLERK_CSV_COLUMNS,
  CLERK_REJECTION_CODES,
  classifyPasswordDigest,
  hashInputFile,
  readClerkExport,
  readOrganizationMapping,
  readRoleMapping,
} from './input/index.js';
export type {
  ClerkMigrationConfig,
  DatabaseStepFailure,
  MigrateFromClerkOptions,
  MigrateFromClerkSummary,
  UndoMigrationFromClerkOptions,
  UndoMigrationFromClerkSummary,
} from './orchestrate/index.js';
export {
  migrateFromClerk,
  readClerkMigrationConfig,
  undoMigrationFromClerk,
} from './orchestrate/index.js';
export type {
  ClerkFieldAccount,
  ClerkFieldCounts,
  ClerkFieldPlace,
  MigrationEnvironment,
  MigrationLimiter,
  MigrationRecordOutcome,
  MigrationSummary,
  MigrationUserMapEntry,
  MigrationWarning,
  MigrationWorkOS,
  OrganizationMode,
  PlannedWrites,
  RunClerkMigrationOptions,
  UndoClerkMigrationOptions,
  UndoSummary,
  WorkOSMetadataField,
} from './run/index.js';
export {
  accountClerkFields,
  ORGANIZATION_MODES,
  runClerkMigration,
  undoClerkMigration,
  WORKOS_METADATA_FIELDS,
  WORKOS_METADATA_LIMITS,
} from './run/index.js';
export type {
  MigrationOutcome,
  OutcomeCounts,
  ProgressReporter,
  ProgressReporterOptions,
  ProgressStream,
  WriteLimiter,
  WriteLimiterGate,
  WriteLimiterOptions,
} from './throttle/index.js';
export {
  createProgressReporter,
  createWriteLimiter,
  DEFAULT_WRITE_CONCURRENCY,
  DEFAULT_WRITES_PER_SECOND,
} from './throttle/index.js';
