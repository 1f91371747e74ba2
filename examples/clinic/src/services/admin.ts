import type { AuditEvent, SetupStats } from 'orgkit';
import type { ClinicOrgkit } from '../orgkit.js';

/** The admin page's data. */
export interface AdminOverview {
  stats: SetupStats;
  events: AuditEvent[];
}

/**
 * Setup statistics and the organization's audit trail. `queryAuditEvents` inside a request
 * reads the session's organization only, needs `audit:read` there, and is itself recorded
 * (`audit.read`).
 */
export function createAdminService(orgkit: ClinicOrgkit) {
  return {
    async load(limit = 50): Promise<AdminOverview> {
      const [stats, page] = await Promise.all([
        orgkit.getSetupStats(),
        orgkit.queryAuditEvents({ limit }),
      ]);
      return { stats, events: page.events };
    },
  };
}
