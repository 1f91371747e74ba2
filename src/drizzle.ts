/**
 * `orgkit/drizzle`: orgkit's tables for your drizzle schema, and the SQL migrations that create them.
 * @module orgkit/drizzle
 */

export type {
  MembershipStatus,
  MigrateResult,
  Migration,
  OrgkitDatabase,
  OrgkitTableNames,
  OrgkitTables,
} from './db/index.js';
export {
  createOrgkitTables,
  DEFAULT_TABLE_NAMES,
  MEMBERSHIP_STATUSES,
  migrate,
  ORGKIT_MIGRATIONS,
} from './db/index.js';
export {
  auditLogs,
  emergencyAccess,
  expertSetup,
  guestProvisioning,
  mirrorTombstones,
  organizations,
  syncCursors,
  userOrgMemberships,
  userPreferences,
  users,
} from './db/schema.js';
