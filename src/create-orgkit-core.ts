import type { AuditEvents, OpenAuditEvents } from './audit/index.js';
import { coreConfigSchema } from './config/core-schema.js';
import { formatConfigError } from './config/format-config-error.js';
import { buildOrgkitCore } from './core/build-core.js';
import type { Orgkit, OrgkitConfig } from './create-orgkit.js';
import { OrgkitError, safeParse } from './errors/index.js';
import type { DefaultPreferencesSchema } from './preferences/index.js';
import type { AccessControl, DefaultAccessControl, RolesApi } from './roles/index.js';

type CoreKeys<AC extends AccessControl> =
  | keyof RolesApi<AC>
  | 'logAuditEvent'
  | 'logAuditEvents'
  | 'accessControl'
  | 'tables'
  | 'database'
  | 'verifyAccessToken'
  | 'peekVerifiedSession'
  | 'runWithRequestScope'
  | 'getRequestScope'
  | 'requireAuth'
  | 'withRls'
  | 'logsDeniedRequests'
  | 'close';

/**
 * The object {@link createOrgkitCore} returns: the part of {@link Orgkit} that sessions, roles
 * and permissions, the request scope, `withRls` and audit writes make up. Every adapter takes it
 * (webhooks excepted: they need `createOrgkit`'s sync).
 */
export type OrgkitCoreInstance<
  AC extends AccessControl = DefaultAccessControl,
  AE extends AuditEvents = OpenAuditEvents,
> = Pick<Orgkit<AC, DefaultPreferencesSchema, string, AE>, CoreKeys<AC>>;

/**
 * Options of {@link createOrgkitCore}: {@link OrgkitConfig}'s, less those of the capabilities the
 * core leaves out.
 */
export type OrgkitCoreConfig<
  AC extends AccessControl = DefaultAccessControl,
  AE extends AuditEvents = OpenAuditEvents,
> = Omit<
  OrgkitConfig<AC, DefaultPreferencesSchema, string, AE>,
  'preferences' | 'expertSetup' | 'guests' | 'access' | 'webhooks' | 'audit'
> & {
  /** Audit writes (`logAuditEvent`). */
  audit?: Pick<
    NonNullable<OrgkitConfig<AC, DefaultPreferencesSchema, string, AE>['audit']>,
    'events' | 'redact' | 'allow' | 'logDeniedRequests'
  >;
};

/**
 * Creates an orgkit instance with only the core: session verification, roles and permissions
 * (`getAccess`, `hasPermission`, …), the request scope, `withRls` and audit writes, for bundles
 * where size counts (Workers, edge functions). Guests, preferences, expert setup, WorkOS sync and
 * webhooks, access accounting, sign-out everywhere and audit reads, purges and forwarding are not
 * part of it, so a bundler leaves their code (and rate-limiter-flexible) out; use
 * {@link createOrgkit} for them. Options, errors and caches are `createOrgkit`'s.
 *
 * @example
 * ```ts
 * import { createOrgkitCore } from 'orgkit'
 * const orgkit = createOrgkitCore({ accessControl, clientId: env.WORKOS_CLIENT_ID })
 * ```
 */
export function createOrgkitCore<
  AC extends AccessControl = DefaultAccessControl,
  AE extends AuditEvents = OpenAuditEvents,
>(config: OrgkitCoreConfig<AC, AE>): OrgkitCoreInstance<AC, AE> {
  const parsed = safeParse(coreConfigSchema, config);
  if (!parsed.success) {
    throw new OrgkitError('invalid_config', formatConfigError('createOrgkitCore', parsed.error), {
      cause: parsed.error,
    });
  }
  return buildOrgkitCore<AC>(parsed.data, {
    database: config.database,
    workos: config.workos,
    tables: config.tables,
    accessControl: config.accessControl,
    auditEvents: config.audit?.events as AuditEvents | undefined,
    forward: false,
  }).instance as unknown as OrgkitCoreInstance<AC, AE>;
}
