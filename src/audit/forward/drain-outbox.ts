import type { WorkOSClientLike } from '../../config/workos-client.js';
import type { OrgkitDatabase } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';
import type { AuditForwardOptions, AuditForwardResult } from './types.js';

/** What {@link drainAuditOutbox} needs. @internal */
export interface DrainDeps {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  workos: WorkOSClientLike;
  options: Required<AuditForwardOptions>;
}

/** IN PROGRESS: replaced by the forwarding implementation. @internal */
export async function drainAuditOutbox(_deps: DrainDeps): Promise<AuditForwardResult> {
  throw new Error('drainAuditOutbox: not implemented yet');
}
