import { defineRlsModel, generateRlsSql, orgkitRlsTables } from 'orgkit/rls';
import type { accessControl } from './access.js';

/**
 * Whose rows are whose: orgkit's own tables plus `meetings`, which the expert's organization
 * reads and writes and its guest reads. Requests query through `orgkit.withRls`, so these
 * policies, not route checks alone, decide what each user sees.
 */
export const rlsModel = defineRlsModel<typeof accessControl>({
  tables: {
    ...orgkitRlsTables(),
    meetings: {
      kind: 'shared',
      organizationColumn: 'org_id',
      sharedUserColumn: 'guest_workos_user_id',
      // Bookings come from the public form, written by the service role (there is no session
      // yet); requests only read. A policy gate on a permission would read the token's
      // claims, which carry organization permissions, not the app roles stored in the database.
      commands: { insert: false, update: false, delete: false },
    },
  },
});

/** The policies as reviewable SQL (idempotent), for `schema`. */
export const rlsSql = (schema = 'public') =>
  generateRlsSql(rlsModel, { target: 'postgres', schema });
