import { type AuditEvent, OrgkitError, type SetupStats } from 'orgkit';
import type { ClinicOrgkit } from '../orgkit.js';

/** The admin page's data. */
export interface AdminOverview {
  stats: SetupStats;
  events: AuditEvent[];
}

/**
 * Setup statistics of the session's organization and its audit trail. Both read the session's
 * organization only: `getSetupStats` is told which one, and `queryAuditEvents` inside a request
 * reads that one alone, needs `audit:read` there, and is itself recorded (`audit.read`).
 */
export function createAdminService(orgkit: ClinicOrgkit) {
  return {
    async load(limit = 50): Promise<AdminOverview> {
      const { organizationId } = orgkit.requireAuth();
      if (!organizationId) {
        throw new OrgkitError('forbidden', 'the admin page needs a session in an organization', {
          reason: 'no_organization',
        });
      }
      const [stats, page] = await Promise.all([
        orgkit.getSetupStats({ organizationId }),
        orgkit.queryAuditEvents({ limit }),
      ]);
      return { stats, events: page.events };
    },
  };
}
