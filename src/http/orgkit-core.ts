import type { Orgkit } from '../create-orgkit.js';
import type { AccessControl } from '../roles/index.js';

/**
 * The parts of an orgkit instance the adapters call. Typed structurally, so an instance with any
 * further type parameters (preferences, …) fits as it is, and so does `createOrgkitCore`'s, which
 * has no webhook handling (its webhook route answers `invalid_config`).
 */
export type OrgkitCore<AC extends AccessControl = AccessControl> = Pick<
  Orgkit<AC>,
  | 'accessControl'
  | 'database'
  | 'tables'
  | 'verifyAccessToken'
  | 'peekVerifiedSession'
  | 'runWithRequestScope'
  | 'getRequestScope'
  | 'getUserRoles'
  | 'getAccess'
  | 'peekAccess'
  | 'logAuditEvent'
  | 'logsDeniedRequests'
> &
  Partial<Pick<Orgkit<AC>, 'handleWorkOSWebhook'>>;

/** The access model of an orgkit instance. */
export type AccessOf<O> = O extends { accessControl: infer AC extends AccessControl }
  ? AC
  : AccessControl;
