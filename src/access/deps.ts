import type { AuditModule } from '../audit/create-audit.js';
import type { AuditEvents } from '../audit/define-audit-events.js';
import type { RequestScopeStore } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { AccessPolicy } from './policy.js';

/** What the access functions need from the instance. @internal */
export interface AccessDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  scope: RequestScopeStore;
  audit: AuditModule;
  events: AuditEvents;
  policy: AccessPolicy;
  /** The core's permission check in one organization. */
  hasPermission(
    userId: string,
    permission: string,
    organizationId: string | null,
  ): Promise<boolean>;
}
