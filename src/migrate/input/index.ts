export type { InputSource } from './byte-source.js';
export { CLERK_CSV_COLUMNS } from './clerk-csv.js';
export { hashInputFile } from './input-hash.js';
export type {
  MappingEntry,
  OrganizationMappingRow,
  ReadMappingOptions,
  RoleMappingRow,
} from './mapping-files.js';
export { readOrganizationMapping, readRoleMapping } from './mapping-files.js';
export type {
  ClassifyPasswordDigestInput,
  PasswordImport,
  PasswordNotImportableCode,
} from './password-digest.js';
export { classifyPasswordDigest } from './password-digest.js';
export type { ReadClerkExportOptions } from './read-export.js';
export { readClerkExport } from './read-export.js';
export type { SecretValue } from './secret-value.js';
export type {
  ClerkExportEntry,
  ClerkPasswordDigest,
  ClerkRecordRejection,
  ClerkRecordWarning,
  ClerkRejectionCode,
  ClerkUserRecord,
} from './types.js';
export { CLERK_REJECTION_CODES } from './types.js';
