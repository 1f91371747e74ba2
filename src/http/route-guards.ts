import type { AccessControl, PermissionOf, RoleOf } from '../roles/index.js';
import type { RouteGuard, RouteRule } from './create-http-auth.js';

type PageOption<AC extends AccessControl> = Pick<RouteRule<AC>, 'redirectTo'>;

/**
 * The guard factories every adapter offers, built once over the adapter's own `wrap`, which turns
 * a compiled {@link RouteGuard} into that framework's middleware.
 * @internal
 */
export function createRouteGuards<AC extends AccessControl, M>(
  http: { guard(rule?: RouteRule<AC>): RouteGuard },
  wrap: (guard: RouteGuard) => M,
) {
  return {
    /** Any signed-in user; with `redirectTo`, a page route. */
    requireAuth: (rule: PageOption<AC> = {}): M => wrap(http.guard(rule)),
    /** This role, or any one of these roles. */
    requireRole: (role: RoleOf<AC> | readonly RoleOf<AC>[], rule: PageOption<AC> = {}): M =>
      wrap(
        http.guard(
          typeof role === 'string'
            ? { ...rule, requiredRole: role as RoleOf<AC> }
            : { ...rule, anyRole: role as readonly RoleOf<AC>[] },
        ),
      ),
    /** This permission, or all of these permissions. */
    requirePermission: (
      permission: PermissionOf<AC> | readonly PermissionOf<AC>[],
      rule: PageOption<AC> = {},
    ): M => wrap(http.guard({ ...rule, requiredPermission: permission })),
    /** Any combination of `requiredRole`, `anyRole`, `requiredPermission`, `redirectTo`. */
    protect: (rule: RouteRule<AC>): M => wrap(http.guard(rule)),
  };
}
