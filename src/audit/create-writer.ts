import type { RequestScopeStore } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { type AuditModule, createAudit } from './create-audit.js';
import { createAuditLog } from './create-audit-log.js';
import { AUDIT_DEFAULTS } from './defaults.js';
import { openAuditEvents } from './define-audit-events.js';
import { createRedactor } from './redact.js';

/**
 * An audit module for code that only writes events, outside `createOrgkit` (the migration's
 * metadata importer): the default event catalogue and redaction, nothing forwarded to WorkOS, and
 * reads refused inside a request (no permission check is wired).
 * @internal
 */
export function createAuditWriterModule(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  scope: RequestScopeStore,
): AuditModule {
  return createAudit({
    db,
    tables,
    scope,
    log: createAuditLog({
      db,
      tables,
      scope,
      events: openAuditEvents,
      redactor: createRedactor({}),
      forward: false,
    }),
    ...AUDIT_DEFAULTS,
    checkpointKey: undefined,
    hasPermission: async () => false,
    workos: undefined,
    forward: false,
  });
}
