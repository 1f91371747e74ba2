import { auditAccessReport } from './definitions/audit-access-report.js';
import { auditCheckpoint } from './definitions/audit-checkpoint.js';
import { auditExport } from './definitions/audit-export.js';
import { auditPurge } from './definitions/audit-purge.js';
import { auditVerify } from './definitions/audit-verify.js';
import { dbMigrate } from './definitions/db-migrate.js';
import { demo } from './definitions/demo.js';
import { migrateClerk } from './definitions/migrate-clerk.js';
import { migrateValidate } from './definitions/migrate-validate.js';
import { rlsDiff } from './definitions/rls-diff.js';
import { rlsGenerate } from './definitions/rls-generate.js';
import { rlsLint } from './definitions/rls-lint.js';
import { syncReconcile } from './definitions/sync-reconcile.js';
import type { CommandLine } from './program.js';

/**
 * Every `orgkit` command. A new command is a definition file in ./definitions and a line here
 * (and its group's line, for a new group); help lists them in this order.
 */
export const ORGKIT_COMMAND_LINE: CommandLine = {
  groups: {
    db: "orgkit's own tables",
    audit:
      "the audit log: verify its hash chains, checkpoint, export and purge it, report on one person's records",
    rls: 'row-level security: generate policies, lint a live database, find drift from the model',
    migrate: 'move users and data from Clerk to WorkOS, and check the result',
    sync: 'the WorkOS mirror: rebuild it from the list endpoints',
  },
  commands: [
    dbMigrate,
    demo,
    auditVerify,
    auditCheckpoint,
    auditExport,
    auditPurge,
    auditAccessReport,
    rlsGenerate,
    rlsLint,
    rlsDiff,
    migrateClerk,
    migrateValidate,
    syncReconcile,
  ],
};
