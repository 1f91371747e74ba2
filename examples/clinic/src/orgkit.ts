import type { WorkOS } from '@workos-inc/node';
import { createOrgkit } from 'orgkit';
import type { OrgkitDatabase } from 'orgkit/drizzle';
import { accessControl, auditEvents, preferencesSchema, SETUP_STEPS } from './access.js';

/** What the clinic's orgkit instance is made from. */
export interface ClinicOrgkitOptions {
  db: OrgkitDatabase;
  workos: WorkOS;
  clientId: string;
  /** Token issuers (the emulator's URL); orgkit's defaults when omitted. */
  issuers?: string[] | undefined;
}

/**
 * The one orgkit instance of the clinic: its access model, the expert setup steps, the
 * preferences schema and the audit vocabulary.
 */
export function createClinicOrgkit(options: ClinicOrgkitOptions) {
  return createOrgkit({
    database: options.db,
    workos: options.workos,
    clientId: options.clientId,
    accessControl,
    expertSetup: { steps: [...SETUP_STEPS] },
    preferences: { schema: preferencesSchema },
    audit: { events: auditEvents },
    // Meetings hold PHI: every read needs a purpose, and fails if it cannot be recorded.
    access: { resourceTypes: { meeting: { phi: true } } },
    ...(options.issuers ? { session: { issuers: options.issuers } } : {}),
  });
}

/** The clinic's orgkit instance. */
export type ClinicOrgkit = ReturnType<typeof createClinicOrgkit>;
