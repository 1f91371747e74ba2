export type {
  ClerkFieldAccount,
  ClerkFieldCounts,
  ClerkFieldPlace,
  WorkOSMetadataField,
} from './field-accounting.js';
export {
  accountClerkFields,
  WORKOS_METADATA_FIELDS,
  WORKOS_METADATA_LIMITS,
} from './field-accounting.js';
export type { OrganizationMode } from './options.js';
export { ORGANIZATION_MODES } from './options.js';
export type { PlannedWrites } from './plan-writes.js';
export { runClerkMigration } from './run-migration.js';
export type {
  MigrationEnvironment,
  MigrationLimiter,
  MigrationRecordOutcome,
  MigrationSummary,
  MigrationWarning,
  MigrationWorkOS,
  RunClerkMigrationOptions,
  UndoClerkMigrationOptions,
  UndoSummary,
} from './types.js';
export { undoClerkMigration } from './undo-migration.js';
export type { MigrationUserMapEntry } from './user-map.js';
