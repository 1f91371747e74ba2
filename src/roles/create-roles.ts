import { eq, sql } from 'drizzle-orm';
import { createUserAuthorizer } from '../context/index.js';
import { OrgkitError } from '../errors/index.js';
import { TELEMETRY_OFF } from '../telemetry/index.js';
import { createAccessFactory } from './create-access.js';
import type { AccessControl } from './define-access-control.js';
import { createInvalidationBus } from './invalidation-bus.js';
import { createPrincipalCache } from './principal-cache.js';
import { resolveRoles, tokenThatCounts } from './resolve-roles.js';
import { createRoleCache } from './role-cache.js';
import { createRoleInputs } from './role-inputs.js';
import { createRoleQuery, type RoleRecord } from './role-query.js';
import { claimsStillCount, sessionRevoked } from './token-revocations.js';
import { traceAccess, traceRoleQuery } from './traced-access.js';
import type { Access, ResolvedRole, RolesApi, RolesDeps, SessionAdmission } from './types.js';

/**
 * The roles capability: hybrid role resolution (app role ∪ membership roles ∪ token roles),
 * permission checks, and the cache behind them. `createOrgkit` wires it.
 * @internal
 */
export function createRoles<AC extends AccessControl>(
  deps: RolesDeps<AC>,
): RolesApi<AC> & { sessionAdmission: SessionAdmission } {
  const { accessControl: ac, scope, tables } = deps;
  const input = createRoleInputs(ac);
  const createAccess = createAccessFactory(ac, input);
  const telemetry = deps.telemetry ?? TELEMETRY_OFF;
  const cache = createRoleCache({
    ...deps.cache,
    scope,
    load: traceRoleQuery(createRoleQuery(deps.db, tables), telemetry),
  });
  const principals = createPrincipalCache<Access<AC>>((record, userId, token, organizationId) =>
    createAccess(resolveRoles(ac, record, userId, token, organizationId)),
  );
  const bus =
    deps.redis &&
    createInvalidationBus(deps.redis, {
      onInvalidate: (userId) => cache.invalidate(userId, false),
      onReconnect: () => cache.clear(),
    });

  const unauthenticated = (what: string) =>
    new OrgkitError('unauthenticated', `${what}: no user id and no session in this request`, {
      reason: scope.current() ? 'no_session' : 'no_request_scope',
    });

  /** Who a look-up is for: `userId` (validated), or the scope's session user when it is omitted. */
  const subject = (userId: unknown, options: unknown, what: string) => {
    const { organizationId } = input.options(options, what);
    const session = scope.current()?.session;
    const id = userId === undefined ? session?.userId : input.userId(userId, `${what}: userId`);
    if (id === undefined) throw unauthenticated(what);
    return { id, organizationId, token: tokenThatCounts(session, id, organizationId) };
  };
  type Subject = ReturnType<typeof subject>;
  // Role changes grant permissions: they need the manage permission even on the caller's own id.
  const authorize =
    deps.authorizeUser ??
    createUserAuthorizer({
      scope,
      hasPermission: async (userId, permission) =>
        ac.isPermission(permission) &&
        (await access(userId, undefined, 'setUserRole')).hasPermission(permission as never),
    });
  // A token older than a revocation the mirror applied adds nothing (see token-revocations.ts);
  // with no mark for the user, the one property read is all this costs.
  const principal = ({ id, token, organizationId }: Subject, record: RoleRecord) =>
    principals.get(
      record,
      id,
      token && record.revocations !== undefined && !claimsStillCount(record.revocations, token)
        ? undefined
        : token,
      organizationId,
    );

  const refused = () =>
    new OrgkitError('unauthenticated', 'this session was revoked; sign in again', {
      reason: 'session_revoked',
    });
  const sessionAdmission: SessionAdmission = {
    // Synchronous when the user's record is cached, the hot path: no promise hop is added.
    check(session) {
      const record = cache.get(session.userId);
      if (record instanceof Promise) {
        return record.then((r) => {
          if (sessionRevoked(r.revocations, session)) throw refused();
          return session;
        });
      }
      if (sessionRevoked(record.revocations, session)) throw refused();
      return session;
    },
    peek(session) {
      const record = cache.peek(session.userId);
      if (record === undefined) return undefined;
      return sessionRevoked(record.revocations, session) ? refused() : session;
    },
  };

  const untracedAccess = async (
    userId: unknown,
    options: unknown,
    what: string,
  ): Promise<Access<AC>> => {
    const who = subject(userId, options, what);
    return principal(who, await cache.get(who.id));
  };
  // With no OpenTelemetry SDK registered, the one `recorder()` read is all this adds.
  const access = (userId: unknown, options: unknown, what: string): Promise<Access<AC>> => {
    const recorder = telemetry.recorder();
    if (recorder === undefined) return untracedAccess(userId, options, what);
    return traceAccess(recorder, () => subject(userId, options, what), cache.get, principal);
  };

  const invalidateUser = async (userId: string): Promise<void> => {
    const id = input.userId(userId, 'invalidateUser: userId');
    cache.invalidate(id, true);
    await bus?.publish(id);
  };

  return {
    async getUserRoles(userId, options) {
      const { roles } = await access(userId, options, 'getUserRoles');
      return [...roles] as ResolvedRole<AC>[];
    },
    getAccess: (userId, options) => access(userId, options, 'getAccess'),
    peekAccess(userId, options) {
      const who = subject(userId, options, 'peekAccess');
      const record = cache.peek(who.id);
      return record && principal(who, record);
    },
    async hasRole(userId, role, options) {
      input.role(role, 'hasRole: role');
      return (await access(userId, options, 'hasRole')).hasRole(role);
    },
    async hasAnyRole(userId, roles, options) {
      input.roles(roles, 'hasAnyRole: roles');
      return (await access(userId, options, 'hasAnyRole')).hasAnyRole(roles);
    },
    async hasPermission(userId, permission, options) {
      input.permission(permission, 'hasPermission: permission');
      return (await access(userId, options, 'hasPermission')).hasPermission(permission);
    },
    async hasAllPermissions(userId, permissions, options) {
      input.permissions(permissions, 'hasAllPermissions: permissions');
      return (await access(userId, options, 'hasAllPermissions')).hasAllPermissions(permissions);
    },
    async checkPermissions(userId, permissions, options) {
      const wanted = input.permissions(permissions, 'checkPermissions: permissions');
      if (userId === undefined && !scope.current()?.session) {
        input.options(options, 'checkPermissions');
        return { allowed: false, reason: 'unauthenticated', missing: wanted, roles: [] };
      }
      return (await access(userId, options, 'checkPermissions')).checkPermissions(wanted);
    },
    async setUserRole(userId, role, options) {
      const id = input.userId(userId, 'setUserRole: userId');
      const appRole = input.appRole(role, 'setUserRole: role');
      const who = await authorize('setUserRole', id, options, { evenForSelf: true });
      // Fail before writing when the bus cannot exist (ioredis missing), not after.
      await bus?.ready();
      // The change and its audit event commit or roll back together.
      await deps.db.transaction(async (tx) => {
        const [previous] = await tx
          .select({ role: tables.users.role })
          .from(tables.users)
          .where(eq(tables.users.workosUserId, id))
          .for('update');
        if (!previous) {
          throw new OrgkitError('not_found', `setUserRole: no user "${id}"`, {
            details: { userId: id },
          });
        }
        if (previous.role === appRole) return;
        await tx
          .update(tables.users)
          .set({ role: appRole, updatedAt: sql`now()` })
          .where(eq(tables.users.workosUserId, id));
        await deps.recordAudit?.(
          [
            {
              action: 'user.role_changed',
              resourceType: 'user',
              resourceId: id,
              actor: who.actor,
              organizationId: who.organizationId,
              changes: { oldValues: { role: previous.role }, newValues: { role: appRole } },
            },
          ],
          { tx },
        );
      });
      await invalidateUser(id);
    },
    invalidateUser,
    sessionAdmission,
    async close() {
      await bus?.close();
      cache.clear();
    },
  };
}
