export type { ClerkMigrationConfig } from './config-file.js';
export { readClerkMigrationConfig } from './config-file.js';
export type {
  DatabaseStepFailure,
  MigrateFromClerkOptions,
  MigrateFromClerkSummary,
} from './migrate-clerk.js';
export { migrateFromClerk } from './migrate-clerk.js';
export type { UndoMigrationFromClerkOptions, UndoMigrationFromClerkSummary } from './undo-clerk.js';
export { undoMigrationFromClerk } from './undo-clerk.js';
