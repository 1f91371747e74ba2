import type { AuditRecorder } from '../audit/recorder.js';
import type {
  AuthorizeUserAction,
  RequestScopeStore,
  UserActionOptions,
} from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { OrgkitError } from '../errors/index.js';
import type { Session } from '../session/types.js';
import type { Telemetry } from '../telemetry/index.js';
import type { AccessControl, AppRoleOf, PermissionOf, RoleOf } from './define-access-control.js';

/** The Redis option of `createOrgkit`: a URL orgkit connects to, or an ioredis client you own. */
export type RolesRedisOption =
  | { url: string; channel?: string | undefined }
  | { client: unknown; channel?: string | undefined };

/** What {@link createRoles} needs from `createOrgkit`. @internal */
export interface RolesDeps<AC extends AccessControl> {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  accessControl: AC;
  scope: RequestScopeStore;
  cache: { ttlMs: number; max: number };
  redis?: RolesRedisOption | undefined;
  /**
   * Who may change whose role (`createOrgkit` passes its configured one). @default the rule
   * with this access model and the default manage permission
   */
  authorizeUser?: AuthorizeUserAction | undefined;
  /** Records `user.role_changed` in the transaction of the change. */
  recordAudit?: AuditRecorder | undefined;
  /** Spans and metrics of access resolutions. @default off */
  telemetry?: Telemetry | undefined;
}

/**
 * Refuses sessions a revocation mark ended (`signOutEverywhere`, a deleted user, a
 * `session.revoked` event), from the user's cached role record. `createOrgkit` puts it behind
 * `verifyAccessToken` and `peekVerifiedSession`.
 * @internal
 */
export interface SessionAdmission {
  /**
   * The session (at once when the user's record is cached), or throws / rejects
   * `unauthenticated` (reason `session_revoked`).
   */
  check(session: Session): Session | Promise<Session>;
  /**
   * The session or the error `admit` would reject with, from what is cached; `undefined` when
   * the user's record is not cached (then call `admit`).
   */
  peek(session: Session): Session | OrgkitError | undefined;
}

/** Narrows a role look-up to one organization. */
export interface RoleQueryOptions {
  /** Only this organization's membership roles (and the token's, if the token is for it). */
  organizationId?: string | undefined;
}

/**
 * A role as resolved: a name of the access model, or a name the database or token holds that
 * the model does not know (kept, because the database is the truth, but it grants nothing).
 */
export type ResolvedRole<AC> = RoleOf<AC> | (string & {});

/** The answer of `checkPermissions`: whether, and why not. */
export interface PermissionDecision<P extends string = string> {
  allowed: boolean;
  reason: 'granted' | 'missing_permission' | 'unauthenticated';
  /** The asked-for permissions the user lacks (all of them when unauthenticated). */
  missing: P[];
  /** The roles the decision was made on. */
  roles: string[];
}

/**
 * One user's resolved roles and permissions, checked synchronously: resolve once per request
 * with `getAccess`, then ask as often as needed.
 */
export interface Access<AC extends AccessControl> {
  readonly userId: string;
  readonly organizationId: string | undefined;
  /**
   * The app role: `users.role`, or the default role for a user with no role at all; `undefined`
   * for a user with memberships but no row (yet).
   */
  readonly appRole: string | undefined;
  readonly roles: ReadonlySet<ResolvedRole<AC>>;
  readonly permissions: ReadonlySet<PermissionOf<AC>>;
  hasRole(role: RoleOf<AC>): boolean;
  hasAnyRole(roles: readonly RoleOf<AC>[]): boolean;
  hasPermission(permission: PermissionOf<AC>): boolean;
  hasAllPermissions(permissions: readonly PermissionOf<AC>[]): boolean;
  checkPermissions(permissions: readonly PermissionOf<AC>[]): PermissionDecision<PermissionOf<AC>>;
}

/**
 * Role and permission checks. `userId` may be `undefined`: then the request scope's session
 * user is meant, and without one the call throws `unauthenticated`.
 */
export interface RolesApi<AC extends AccessControl> {
  /** App role ∪ active membership roles ∪ the session token's roles; `[defaultRole]` if none. */
  getUserRoles(userId?: string, options?: RoleQueryOptions): Promise<ResolvedRole<AC>[]>;
  /** Resolves a user once into an {@link Access} with synchronous checks. */
  getAccess(userId?: string, options?: RoleQueryOptions): Promise<Access<AC>>;
  /**
   * What {@link RolesApi.getAccess} would answer, if it can be answered from what is cached (this
   * request's memo or the process-wide cache) without a query; `undefined` otherwise. Validates
   * its input and throws as `getAccess` does. For adapters that answer cached requests without
   * waiting on a promise.
   */
  peekAccess(userId?: string, options?: RoleQueryOptions): Access<AC> | undefined;
  hasRole(
    userId: string | undefined,
    role: RoleOf<AC>,
    options?: RoleQueryOptions,
  ): Promise<boolean>;
  hasAnyRole(
    userId: string | undefined,
    roles: readonly RoleOf<AC>[],
    options?: RoleQueryOptions,
  ): Promise<boolean>;
  hasPermission(
    userId: string | undefined,
    permission: PermissionOf<AC>,
    options?: RoleQueryOptions,
  ): Promise<boolean>;
  hasAllPermissions(
    userId: string | undefined,
    permissions: readonly PermissionOf<AC>[],
    options?: RoleQueryOptions,
  ): Promise<boolean>;
  /** Like `hasAllPermissions`, but says why: `{ allowed, reason, missing, roles }`. */
  checkPermissions(
    userId: string | undefined,
    permissions: readonly PermissionOf<AC>[],
    options?: RoleQueryOptions,
  ): Promise<PermissionDecision<PermissionOf<AC>>>;
  /**
   * Sets `users.role`, then invalidates the user here and, through Redis, everywhere. Inside a
   * request the session's user needs the manage permission (`users.managePermission`), also to
   * change their own role; outside one, pass `{ actor: { system: 'job-name' } }`.
   */
  setUserRole(userId: string, role: AppRoleOf<AC>, options?: UserActionOptions): Promise<void>;
  /** Forgets the cached roles of a user here and, through Redis, on every instance. */
  invalidateUser(userId: string): Promise<void>;
  /** Closes the Redis connections orgkit opened. */
  close(): Promise<void>;
}
