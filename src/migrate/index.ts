/**
 * `orgkit/migrate`: the Clerk → WorkOS migration as a library. This first part is the input
 * layer: {@link readClerkExport} streams Clerk's dashboard CSV or Backend API JSON export as
 * validated, normalised {@link ClerkUserRecord}s (or rejections naming the record and the
 * problem), {@link readOrganizationMapping} and {@link readRoleMapping} read the optional mapping
 * files, {@link classifyPasswordDigest} says which password digests WorkOS can take, and
 * {@link hashInputFile} gives the hash a run is bound to.
 * @packageDocumentation
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
  MigrationEnvironment,
  MigrationLimiter,
  MigrationRecordOutcome,
  MigrationSummary,
  MigrationUserMapEntry,
  MigrationWarning,
  MigrationWorkOS,
  RunClerkMigrationOptions,
  UndoClerkMigrationOptions,
  UndoSummary,
} from './run/index.js';
export { runClerkMigration, undoClerkMigration } from './run/index.js';
export type { WriteLimiter, WriteLimiterGate, WriteLimiterOptions } from './throttle/index.js';
export {
  createWriteLimiter,
  DEFAULT_WRITE_CONCURRENCY,
  DEFAULT_WRITES_PER_SECOND,
} from './throttle/index.js';
