import type { ReconcileCounts } from '../../sync/index.js';
import { workosClientFor, workosEnvironment } from '../workos-from-env.js';
import type { CommandIo } from './audit-shared.js';
import { withConfigErrorsAsUsage } from './migrate-shared.js';

/** Flags of `orgkit sync reconcile`. */
export interface SyncReconcileFlags {
  url?: string | undefined;
  json?: boolean | undefined;
}

const line = (label: string, c: ReconcileCounts) =>
  `${label}: ${c.upserted} upserted, ${c.removed} removed, ${c.unchanged} unchanged${c.skipped ? `, ${c.skipped} skipped (unreadable)` : ''}`;

/**
 * `orgkit sync reconcile [--url URL] [--json]`: rebuilds the mirror from WorkOS's list endpoints
 * and resets the Events API cursor. Exit code 0 when done, 1 on failure, 2 for a usage or
 * configuration mistake (a missing WORKOS_API_KEY, a refused key).
 */
export async function syncReconcileCommand(
  flags: SyncReconcileFlags,
  io: CommandIo,
): Promise<number> {
  return withConfigErrorsAsUsage(io, async () => {
    // Read before connecting: a missing variable is reported without touching the database.
    const workos = await workosClientFor(workosEnvironment());
    const [{ createOrgkit }, { openDatabase }] = await Promise.all([
      import('../../create-orgkit.js'),
      import('../open-database.js'),
    ]);
    const opened = await openDatabase(flags.url ?? process.env.DATABASE_URL);
    try {
      const orgkit = createOrgkit({ database: opened.db, workos });
      const report = await orgkit.reconcileWorkOSMirror();
      if (flags.json) {
        io.out(JSON.stringify(report, null, 2));
      } else {
        io.out(`${opened.location}: mirror reconciled with WorkOS`);
        io.out(line('users', report.users));
        io.out(line('organizations', report.organizations));
        io.out(line('memberships', report.memberships));
        io.out(`events cursor: ${report.cursor ?? '(no events yet)'}`);
      }
      return 0;
    } finally {
      await opened.close();
    }
  });
}
