export type { OrgkitDatabase } from './database.js';
export { rowsOf } from './database.js';
export type { MigrateResult } from './migrate.js';
export { migrate } from './migrate.js';
export type { Migration } from './migration.js';
export { ORGKIT_MIGRATIONS } from './migrations.generated.js';
export type { MembershipStatus, OrgkitTableNames, OrgkitTables } from './tables.js';
export {
  createOrgkitTables,
  DEFAULT_TABLE_NAMES,
  MEMBERSHIP_STATUSES,
} from './tables.js';
