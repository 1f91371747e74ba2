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
