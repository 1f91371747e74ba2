import { defineRlsModel, generateRlsSql, orgkitRlsTables } from 'orgkit/rls';
import type { accessControl } from './access.js';

/**
 * Whose rows are whose: orgkit's own tables plus `meetings`, which the expert's organization
 * reads and its guest reads, both with the token's `meetings:read`, and which a clinician of the
 * organization without it reads only under an emergency grant for the guest (`breakGlass`).
 * Requests query through `orgkit.withRls`, so these policies, not route checks alone, decide
 * what each user sees.
 */
export const rlsModel = defineRlsModel<typeof accessControl>({
  tables: {
    ...orgkitRlsTables(),
    meetings: {
      kind: 'shared',
      organizationColumn: 'org_id',
      sharedUserColumn: 'guest_workos_user_id',
      // Bookings come from the public form, written by the service role (there is no session
      // yet); requests only read. The gate reads the token's claims, which carry organization
      // permissions (every role's but `on-call`), not the app roles stored in the database.
      commands: {
        select: { permission: 'meetings:read' },
        insert: false,
        update: false,
        delete: false,
      },
      // No gate on this way in: it exists for when the permission is missing. The grant counts
      // only in the organization it was made in, which is also the meeting's.
      emergencyAccess: { subjectColumn: 'guest_workos_user_id' },
    },
  },
});

/** The policies as reviewable SQL (idempotent), for `schema`. */
export const rlsSql = (schema = 'public') =>
  generateRlsSql(rlsModel, { target: 'postgres', schema });
