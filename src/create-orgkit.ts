import type * as z from 'zod';
import {
  type AccessApi,
  type AccessOptions,
  createAccess,
  createAccessPolicy,
} from './access/index.js';
import { AUDIT_DEFAULTS } from './audit/defaults.js';
import {
  type AuditApi,
  type AuditEvents,
  type AuditForwardOptions,
  type AuditRedactionOptions,
  createAudit,
  type OpenAuditEvents,
} from './audit/index.js';
import { formatConfigError } from './config/format-config-error.js';
import { orgkitConfigSchema } from './config/schema.js';
import type { WorkOSClientLike } from './config/workos-client.js';
import type { RequestScope, RequestScopeInit } from './context/index.js';
import { buildOrgkitCore } from './core/build-core.js';
import type { OrgkitDatabase } from './db/database.js';
import type { OrgkitDatabaseOption } from './db/database-source.js';
import type { OrgkitTables } from './db/tables.js';
import { OrgkitError, safeParse } from './errors/index.js';
import {
  createExpertSetup,
  DEFAULT_RESET_PERMISSION,
  type DefaultExpertSetupStep,
  type ExpertSetupApi,
} from './expert-setup/index.js';
import { createGuests, type GuestsApi, type GuestsOptions } from './guests/index.js';
import {
  createPreferences,
  type DefaultPreferencesSchema,
  type PreferencesApi,
  type PreferencesSchema,
} from './preferences/index.js';
import { createSignOutEverywhere, type RevocationApi } from './revocation/index.js';
import type { RlsTransaction, WithRlsOptions } from './rls/with-rls.js';
import type {
  AccessControl,
  DefaultAccessControl,
  OrgRoleOf,
  PermissionOf,
  RolesApi,
} from './roles/index.js';
import type { Session } from './session/index.js';
import { createWorkOSSync, type SyncApi } from './sync/index.js';
import { attachTelemetry, SPAN, type TelemetryOptions, traceMethods } from './telemetry/index.js';

/** Options of {@link createOrgkit}. */
export interface OrgkitConfig<
  AC extends AccessControl = DefaultAccessControl,
  PS extends PreferencesSchema = DefaultPreferencesSchema,
  ES extends string = DefaultExpertSetupStep,
  AE extends AuditEvents = OpenAuditEvents,
> {
  /**
   * A drizzle Postgres database (node-postgres, postgres.js, Neon or PGlite), or a function
   * returning the current request's or job's database (called once per request scope). Where a
   * connection cannot be shared across requests (Workers), leave it out and give each request
   * its database through the adapter's `database` option or `runWithRequestScope({ database })`:
   * the instance, and its JWKS, token, role and access caches, then lives for the isolate.
   */
  database?: OrgkitDatabaseOption;
  /**
   * `false` behind a transaction pooler that cannot keep named prepared statements (PgBouncer
   * before 1.21 or without `max_prepared_statements`, Supavisor in transaction mode) when the
   * driver names them (node-postgres): orgkit's hot queries are then sent unnamed. postgres.js
   * needs its own `prepare: false` there. @default true
   */
  preparedStatements?: boolean;
  /** A `@workos-inc/node` client (majors 9–11). Needed for JWKS, webhooks and event sync. */
  workos?: WorkOSClientLike;
  /** WorkOS client id. @default process.env.WORKOS_CLIENT_ID */
  clientId?: string;
  /** The app's roles and permissions. @default defaultAccessControl (the seed's roles) */
  accessControl?: AC;
  /** Renamed tables from `createOrgkitTables`. @default the default names */
  tables?: OrgkitTables;
  session?: {
    /** @default workos.userManagement.getJwksUrl(clientId) */
    jwksUrl?: string;
    /**
     * Accepted `iss` values. WorkOS issuers differ by environment and custom auth domain.
     * @default ['https://api.workos.com', 'https://api.workos.com/user_management/<clientId>']
     */
    issuers?: string[];
    /** Required `aud`, if any. WorkOS production tokens carry none. */
    audience?: string | string[];
    /** @default 5 */
    clockToleranceSeconds?: number;
    /** Minimum time between JWKS refetches on an unknown `kid`. @default 30000 */
    jwksCooldownMs?: number;
    /** @default 600000 */
    jwksCacheMaxAgeMs?: number;
    /**
     * While WorkOS's JWKS cannot be read, keep verifying with the last key set for at most this
     * long past its age (then `jwks_unavailable`); `0` turns this off. @default 3600000
     */
    jwksMaxStaleMs?: number;
    /**
     * After a failed read of WorkOS's JWKS, send no new request for this long: verifications
     * meanwhile use the last key set or, with none, fail at once with `jwks_unavailable`, instead
     * of each waiting on a dead endpoint. @default 5000
     */
    jwksFailureCooldownMs?: number;
    /** Cache of verified tokens (bounded, honours `exp`). @default false */
    verifiedTokenCache?: false | { max?: number };
  };
  /** Process-wide role cache. */
  cache?: { ttlMs?: number; max?: number };
  /** Redis pub/sub so role changes reach every instance. */
  redis?: { url: string; channel?: string } | { client: unknown; channel?: string };
  /** WorkOS webhook verification. */
  webhooks?: { secret: string; toleranceMs?: number };
  users?: {
    /**
     * The permission a session's user needs, inside a request, to act on another user through a
     * function taking a user id (preferences, expert setup, `setUserRole`). Outside a request
     * those functions need `{ actor: { system: 'job-name' } }` instead. @default 'users:manage'
     */
    managePermission?: PermissionOf<AC>;
  };
  /** The app's preferences as a zod object with a default on every key. @default the seed's */
  preferences?: { schema?: PS };
  expertSetup?: {
    /** Onboarding steps. @default the seed's six */
    steps?: readonly ES[];
    /** The permission `resetSetup` requires. @default 'experts:manage' */
    resetPermission?: PermissionOf<AC>;
  };
  /** Guest provisioning (`createOrGetGuestUser`); needs `workos`. */
  guests?: Omit<GuestsOptions, 'ownerRole'> & {
    /** The guest's role in their personal organization. @default 'owner' */
    ownerRole?: OrgRoleOf<AC>;
  };
  /** Audit logging (`logAuditEvent`). */
  audit?: AuditRedactionOptions & {
    /** The app's actions and resource types from `defineAuditEvents`. @default any well-formed name */
    events?: AE;
    /** Events older than this many days may be purged. @default 2557 (7 years) */
    retentionDays?: number;
    /**
     * A secret (≥ 32 characters, kept outside the database) that signs and checks exported
     * checkpoints with HMAC-SHA256.
     */
    checkpointKey?: string;
    /** The permission reading the audit log needs inside a request. @default 'audit:read' */
    readPermission?: PermissionOf<AC>;
    /** Adapters record each 403 as `access.denied`. @default true */
    logDeniedRequests?: boolean;
    /** Copy events to WorkOS Audit Logs through an outbox (`forwardAuditEvents()`). @default false */
    forwardToWorkOS?: boolean | AuditForwardOptions;
  };
  /**
   * Access accounting (`recordAccess`, `accessReport`) and emergency access (`breakGlass`):
   * purposes of use, PHI resource types, review permission, the break-glass alert.
   */
  access?: Omit<AccessOptions, 'reviewPermission' | 'breakGlassPermission'> & {
    /** @default audit.readPermission */
    reviewPermission?: PermissionOf<AC>;
    breakGlassPermission?: PermissionOf<AC>;
  };
  /**
   * OpenTelemetry spans and metrics (tracer and meter `orgkit`) through the app's registered
   * SDK; with none registered, nothing is recorded. `false` turns them off for this instance.
   * Ids as `ids` says; never emails, names, tokens, codes or (unless `clientIp`) IP addresses.
   * @default {}
   */
  telemetry?: false | TelemetryOptions;
}

/** The object {@link createOrgkit} returns. */
export interface Orgkit<
  AC extends AccessControl = DefaultAccessControl,
  PS extends PreferencesSchema = DefaultPreferencesSchema,
  ES extends string = DefaultExpertSetupStep,
  AE extends AuditEvents = OpenAuditEvents,
> extends RolesApi<AC>,
    SyncApi,
    PreferencesApi<z.output<PS>>,
    ExpertSetupApi<ES>,
    GuestsApi,
    RevocationApi,
    AuditApi<AE>,
    AccessApi {
  readonly accessControl: AC;
  readonly tables: OrgkitTables;
  /**
   * The database of the moment: the request scope's own, else the instance's (or its
   * provider's). Throws `invalid_config` (reason `no_database`) on use when there is none.
   */
  readonly database: OrgkitDatabase;
  /** Verifies a WorkOS access token (signature, RS256 only, expiry, issuer). */
  verifyAccessToken(token: string): Promise<Session>;
  /**
   * The session of a token this instance has already verified and still caches (the
   * `session.verifiedTokenCache` option), before its `exp`; `undefined` otherwise. Never
   * verifies: call {@link Orgkit.verifyAccessToken} when it answers `undefined`. For adapters
   * that answer cached requests without waiting on a promise.
   */
  peekVerifiedSession(token: string): Session | undefined;
  /** Runs `fn` inside a request scope; adapters call this for every request. */
  runWithRequestScope<T>(init: RequestScopeInit, fn: () => T): T;
  /** The current request scope, if any. */
  getRequestScope(): RequestScope | undefined;
  /** The current scope's session, or throws `unauthenticated`. */
  requireAuth(): Session;
  /**
   * Runs `fn` in one transaction as the RLS request role with the current scope's session as
   * the claims (see `withRls` in `orgkit/rls`); no session fails closed with `unauthenticated`.
   *
   * @example
   * ```ts
   * const rows = await orgkit.withRls((tx) => tx.select().from(events))
   * ```
   */
  withRls<T>(
    fn: (tx: RlsTransaction<OrgkitDatabase>) => Promise<T>,
    options?: WithRlsOptions,
  ): Promise<T>;
  /** Whether adapters record each 403 as `access.denied` (`audit.logDeniedRequests`). */
  readonly logsDeniedRequests: boolean;
  /** Closes what orgkit opened (the Redis connections). The database is yours to close. */
  close(): Promise<void>;
}

/**
 * Creates one orgkit instance. Nothing is module-level: two instances never share state.
 *
 * @example
 * ```ts
 * const orgkit = createOrgkit({ database: db, workos, clientId: process.env.WORKOS_CLIENT_ID })
 * const roles = await orgkit.getUserRoles(session.userId)
 * ```
 */
export function createOrgkit<
  AC extends AccessControl = DefaultAccessControl,
  PS extends PreferencesSchema = DefaultPreferencesSchema,
  const ES extends string = DefaultExpertSetupStep,
  AE extends AuditEvents = OpenAuditEvents,
>(config: OrgkitConfig<AC, PS, ES, AE>): Orgkit<AC, PS, ES, AE> {
  const parsed = safeParse(orgkitConfigSchema, config);
  if (!parsed.success) {
    throw new OrgkitError('invalid_config', formatConfigError('createOrgkit', parsed.error), {
      cause: parsed.error,
    });
  }
  const options = parsed.data;
  const forward = options.audit.forwardToWorkOS;
  const core = buildOrgkitCore<AC>(options, {
    database: config.database,
    workos: config.workos,
    tables: config.tables,
    accessControl: config.accessControl,
    auditEvents: config.audit?.events as AuditEvents | undefined,
    forward: forward !== false,
  });
  const { db, tables, scope, accessControl, workos, events, roles, authorizeUser } = core;
  const { hasPermissionIn, telemetry } = core;

  const readPermission: string = options.audit.readPermission ?? AUDIT_DEFAULTS.readPermission;
  if (options.audit.readPermission && !accessControl.isPermission(readPermission)) {
    throw new OrgkitError(
      'invalid_config',
      `createOrgkit: audit.readPermission: "${readPermission}" is not a permission of accessControl`,
    );
  }
  if (forward !== false && !workos) {
    throw new OrgkitError(
      'invalid_config',
      'createOrgkit: audit.forwardToWorkOS: needs the workos option (a @workos-inc/node client)',
    );
  }
  const audit = createAudit({
    db,
    tables,
    scope,
    log: core.audit,
    retentionDays: options.audit.retentionDays,
    checkpointKey: options.audit.checkpointKey,
    readPermission,
    hasPermission: hasPermissionIn,
    workos,
    forward,
    telemetry,
  });
  const { record: recordAudit, ...auditApi } = audit;

  for (const key of ['reviewPermission', 'breakGlassPermission'] as const) {
    const permission = options.access[key];
    if (permission && !accessControl.isPermission(permission)) {
      throw new OrgkitError(
        'invalid_config',
        `createOrgkit: access.${key}: "${permission}" is not a permission of accessControl`,
      );
    }
  }
  const access = createAccess({
    db,
    tables,
    scope,
    audit,
    events,
    policy: createAccessPolicy(options.access, readPermission),
    hasPermission: hasPermissionIn,
  });

  // orgkit's own events (membership changes, preference updates, resets, guests) go through
  // recordAudit, inside the transaction of the change they describe.
  const sync = createWorkOSSync({
    db,
    tables,
    workos,
    webhooks: options.webhooks,
    invalidateUser: (userId) => roles.invalidateUser(userId),
    recordAudit,
    telemetry,
  });

  const preferences = createPreferences<PS>({
    db,
    tables,
    scope,
    schema: config.preferences?.schema,
    recordAudit,
    authorizeUser,
  });
  const resetPermission: string = config.expertSetup?.resetPermission ?? DEFAULT_RESET_PERMISSION;
  if (config.expertSetup?.resetPermission && !accessControl.isPermission(resetPermission)) {
    throw new OrgkitError(
      'invalid_config',
      `createOrgkit: expertSetup.resetPermission: "${resetPermission}" is not a permission of accessControl`,
    );
  }
  const expertSetup = createExpertSetup<ES>({
    db,
    tables,
    scope,
    steps: config.expertSetup?.steps,
    resetPermission,
    // An access model without the reset permission means nobody may reset: `forbidden`,
    // not the `invalid_input` roles would raise for an unknown name.
    hasPermission: async (userId, permission) =>
      accessControl.isPermission(permission) &&
      roles.hasPermission(userId, permission as PermissionOf<AC>),
    recordAudit,
    authorizeUser,
  });

  // An explicit owner role the model lacks is a startup error; the default one is checked only
  // when guests are provisioned, so apps that never do need no `owner` role.
  const ownerRoleProblem = accessControl.orgRoles.includes(options.guests.ownerRole)
    ? undefined
    : `guests.ownerRole: "${options.guests.ownerRole}" is not an organization role of accessControl`;
  if (ownerRoleProblem && config.guests?.ownerRole !== undefined) {
    throw new OrgkitError('invalid_config', `createOrgkit: ${ownerRoleProblem}`);
  }
  const guests = createGuests({
    db,
    tables,
    workos,
    options: options.guests,
    scope,
    configProblem: ownerRoleProblem && `${ownerRoleProblem}; set guests.ownerRole`,
    invalidateUser: (userId) => roles.invalidateUser(userId),
    recordAudit,
    telemetry,
  });

  const revocation = createSignOutEverywhere({
    db,
    tables,
    workos,
    authorizeUser,
    recordAudit,
    invalidateUser: (userId) => roles.invalidateUser(userId),
  });

  return attachTelemetry(
    {
      ...core.instance,
      ...sync,
      ...revocation,
      ...traceMethods(preferences, telemetry, {
        getUserPreferences: SPAN.preferencesRead,
        updateUserPreferences: SPAN.preferencesWrite,
        resetToDefaults: SPAN.preferencesWrite,
      }),
      ...traceMethods(expertSetup, telemetry, {
        checkExpertSetupStatus: SPAN.setupRead,
        markStepComplete: SPAN.setupWrite,
        resetSetup: SPAN.setupWrite,
        getIncompleteExperts: SPAN.setupRead,
        getSetupStats: SPAN.setupRead,
      }),
      ...guests,
      ...(auditApi as unknown as AuditApi<AE>),
      ...access,
    } as Orgkit<AC, PS, ES, AE>,
    telemetry,
  );
}
