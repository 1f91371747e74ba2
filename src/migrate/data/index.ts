export type { ClerkAppDataConfig, ClerkAppTable } from './app-data-config.js';
export { parseClerkAppDataConfig } from './app-data-config.js';
export { CLERK_MIGRATION_ACTOR, createClerkMetadataImporter } from './apply-metadata.js';
export type { ClerkIdMapEntry } from './id-map.js';
export type {
  ClerkMetadataImporter,
  ClerkMetadataImporterOptions,
  ClerkMetadataOutcome,
  MigratedClerkUser,
} from './metadata-types.js';
export type { ClerkMetadataWarning, ClerkMetadataWarningCode } from './metadata-warnings.js';
export { CLERK_METADATA_WARNING_CODES } from './metadata-warnings.js';
export type {
  ClerkAppTableRewrite,
  RewriteClerkAppDataOptions,
  RewriteClerkAppDataResult,
} from './rewrite-app-data.js';
export { rewriteClerkAppData } from './rewrite-app-data.js';
export type { ClerkRoleMapping } from './role-mapping.js';
export { SEED_CLERK_ROLE_MAPPING } from './role-mapping.js';
export type { ValidateClerkMigrationOptions } from './validate-migration.js';
export { validateClerkMigration } from './validate-migration.js';
export type {
  ClerkMigrationCheck,
  ClerkMigrationCheckName,
  ClerkMigrationReport,
} from './validation-report.js';
export { CLERK_MIGRATION_CHECKS, formatClerkMigrationReport } from './validation-report.js';
