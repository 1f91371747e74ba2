import { type AuditLog, createAuditLog } from '../audit/create-audit-log.js';
import { type AuditEvents, openAuditEvents } from '../audit/define-audit-events.js';
import { createRedactor } from '../audit/redact.js';
import type { ParsedCoreConfig } from '../config/core-schema.js';
import { envVar } from '../config/env.js';
import type { WorkOSClientLike } from '../config/workos-client.js';
import {
  type AuthorizeUserAction,
  createUserAuthorizer,
  DEFAULT_MANAGE_USERS_PERMISSION,
  RequestScopeStore,
} from '../context/index.js';
import type { OrgkitCoreInstance } from '../create-orgkit-core.js';
import type { OrgkitDatabase } from '../db/database.js';
import { createDatabaseSource, type OrgkitDatabaseOption } from '../db/database-source.js';
import { createOrgkitTables, type OrgkitTables } from '../db/tables.js';
import { OrgkitError } from '../errors/index.js';
import { withRls } from '../rls/with-rls.js';
import { createRoles } from '../roles/create-roles.js';
import { defaultAccessControl } from '../roles/default-access-control.js';
import type { AccessControl, PermissionOf } from '../roles/index.js';
import { createSessionVerifier, type Session, type SessionVerifier } from '../session/index.js';
import { traceVerification } from '../session/trace-verification.js';
import {
  ATTR,
  attachTelemetry,
  createTelemetry,
  SPAN,
  type Telemetry,
  traced,
} from '../telemetry/index.js';

const DEFAULT_ISSUER = 'https://api.workos.com';

/** What the core's factory is given besides the parsed options. @internal */
export interface CoreInput {
  database?: OrgkitDatabaseOption | undefined;
  workos?: WorkOSClientLike | undefined;
  tables?: OrgkitTables | undefined;
  accessControl?: AccessControl | undefined;
  auditEvents?: AuditEvents | undefined;
  /** `audit.forwardToWorkOS` is on: audit writes also fill the WorkOS outbox. */
  forward: boolean;
}

/** The core instance and the parts capabilities are built on. @internal */
export interface OrgkitCoreParts<AC extends AccessControl> {
  instance: OrgkitCoreInstance<AC, AuditEvents>;
  db: OrgkitDatabase;
  tables: OrgkitTables;
  scope: RequestScopeStore;
  accessControl: AC;
  workos: WorkOSClientLike | undefined;
  events: AuditEvents;
  audit: AuditLog;
  roles: ReturnType<typeof createRoles<AC>>;
  authorizeUser: AuthorizeUserAction;
  /** Spans and metrics (`telemetry` option); off without an OpenTelemetry SDK. */
  telemetry: Telemetry;
  /** The roles' permission check in one organization; `false` for a name the model lacks. */
  hasPermissionIn(
    userId: string,
    permission: string,
    organizationId: string | null,
  ): Promise<boolean>;
}

/**
 * Builds what every orgkit instance has: the database source, request scope, session verifier,
 * roles and audit writes. `createOrgkitCore` returns its instance; `createOrgkit` adds the
 * capabilities. Kept apart so a bundle of the core holds none of them.
 * @internal
 */
export function buildOrgkitCore<AC extends AccessControl>(
  options: ParsedCoreConfig,
  input: CoreInput,
): OrgkitCoreParts<AC> {
  const { workos } = input;
  const tables = input.tables ?? createOrgkitTables();
  const accessControl = (input.accessControl ?? defaultAccessControl) as AC;
  const clientId = options.clientId ?? envVar('WORKOS_CLIENT_ID');
  const scope = new RequestScopeStore();
  const telemetry = createTelemetry(options.telemetry);
  const db = createDatabaseSource(input.database, scope, {
    namedStatements: options.preparedStatements,
  });

  let verifier: SessionVerifier | undefined;
  const getVerifier = (): SessionVerifier => {
    if (verifier) return verifier;
    const jwksUrl =
      options.session.jwksUrl ??
      (clientId
        ? (workos?.userManagement.getJwksUrl(clientId) ?? `${DEFAULT_ISSUER}/sso/jwks/${clientId}`)
        : undefined);
    if (!jwksUrl) {
      throw new OrgkitError(
        'invalid_config',
        'createOrgkit: clientId: set clientId (or WORKOS_CLIENT_ID) or session.jwksUrl to verify tokens',
      );
    }
    verifier = createSessionVerifier({
      jwksUrl,
      issuers: options.session.issuers ?? [
        DEFAULT_ISSUER,
        ...(clientId ? [`${DEFAULT_ISSUER}/user_management/${clientId}`] : []),
      ],
      audience: options.session.audience,
      clockToleranceSeconds: options.session.clockToleranceSeconds,
      jwksCooldownMs: options.session.jwksCooldownMs,
      jwksCacheMaxAgeMs: options.session.jwksCacheMaxAgeMs,
      jwksMaxStaleMs: options.session.jwksMaxStaleMs,
      jwksFailureCooldownMs: options.session.jwksFailureCooldownMs,
      verifiedTokenCache: options.session.verifiedTokenCache,
      telemetry,
    });
    return verifier;
  };

  const managePermission: string =
    options.users?.managePermission ?? DEFAULT_MANAGE_USERS_PERMISSION;
  if (options.users?.managePermission && !accessControl.isPermission(managePermission)) {
    throw new OrgkitError(
      'invalid_config',
      `createOrgkit: users.managePermission: "${managePermission}" is not a permission of accessControl`,
    );
  }
  // One rule for every function taking a user id. As for resets, a model without the manage
  // permission means nobody acts on another user inside a request.
  const authorizeUser = createUserAuthorizer({
    scope,
    permission: managePermission,
    hasPermission: async (userId, permission) =>
      accessControl.isPermission(permission) &&
      roles.hasPermission(userId, permission as PermissionOf<AC>),
  });
  const roles = createRoles({
    db,
    tables,
    accessControl,
    scope,
    cache: options.cache,
    redis: options.redis,
    authorizeUser,
    telemetry,
    // The audit log is built below.
    recordAudit: (events, recordOptions) => audit.record(events, recordOptions),
  });
  const { sessionAdmission, ...rolesApi } = roles;
  const events = input.auditEvents ?? openAuditEvents;
  const audit = createAuditLog({
    db,
    tables,
    scope,
    events,
    redactor: createRedactor({ redact: options.audit.redact, allow: options.audit.allow }),
    forward: input.forward,
    telemetry,
  });
  // As for resets: a model without the permission means nobody has it inside a request.
  const hasPermissionIn = async (
    userId: string,
    permission: string,
    organizationId: string | null,
  ): Promise<boolean> =>
    accessControl.isPermission(permission) &&
    roles.hasPermission(userId, permission as PermissionOf<AC>, {
      organizationId: organizationId ?? undefined,
    });

  // A verified token is still refused when a revocation mark ended its session. A token in
  // the verified-token cache whose user's record is cached is answered without a promise hop.
  const verifyToken = (token: string): Promise<Session> => {
    try {
      const cached = getVerifier().peekVerifiedSession(token);
      if (cached) return Promise.resolve(sessionAdmission.check(cached));
    } catch (error) {
      return Promise.reject(error);
    }
    return getVerifier().verifyAccessToken(token).then(sessionAdmission.check);
  };

  const instance: OrgkitCoreInstance<AC, AuditEvents> = {
    ...rolesApi,
    logAuditEvent: audit.logAuditEvent,
    logAuditEvents: audit.logAuditEvents,
    logsDeniedRequests: options.audit.logDeniedRequests,
    accessControl,
    tables,
    database: db,
    verifyAccessToken(token) {
      const recorder = telemetry.recorder();
      if (recorder === undefined) return verifyToken(token);
      const cacheHit = verifier?.peekVerifiedSession(token) !== undefined;
      return traceVerification(recorder, cacheHit, () => verifyToken(token));
    },
    peekVerifiedSession(token) {
      const session = verifier?.peekVerifiedSession(token);
      const admitted = session && sessionAdmission.peek(session);
      // A refusal is left to `verifyAccessToken`, which throws it.
      return admitted === session ? session : undefined;
    },
    runWithRequestScope: (init, fn) => scope.run(init, fn),
    getRequestScope: () => scope.current(),
    withRls: (fn, rlsOptions) =>
      traced(telemetry, SPAN.rls, { [ATTR.dbSystem]: 'postgresql' }, () =>
        withRls(db, scope.current()?.session, fn, rlsOptions),
      ),
    requireAuth() {
      const session = scope.current()?.session;
      if (!session) {
        throw new OrgkitError('unauthenticated', 'no authenticated session in this request', {
          reason: scope.current() ? 'no_session' : 'no_request_scope',
        });
      }
      return session;
    },
    close: () => roles.close(),
  };
  return {
    // The adapters find the instance's telemetry on it (guard spans, sign-in counters).
    instance: attachTelemetry(instance, telemetry),
    db,
    tables,
    scope,
    accessControl,
    workos,
    events,
    audit,
    roles,
    authorizeUser,
    telemetry,
    hasPermissionIn,
  };
}
