export { createRoles } from './create-roles.js';
export type { DefaultAccessControl } from './default-access-control.js';
export { defaultAccessControl } from './default-access-control.js';
export type {
  AccessControl,
  AccessControlDefinition,
  AppRoleOf,
  OrgRoleOf,
  PermissionOf,
  RoleKind,
  RoleOf,
} from './define-access-control.js';
export { defineAccessControl } from './define-access-control.js';
export { DEFAULT_INVALIDATION_CHANNEL } from './invalidation-bus.js';
export type {
  Access,
  PermissionDecision,
  ResolvedRole,
  RoleQueryOptions,
  RolesApi,
  RolesDeps,
  RolesRedisOption,
} from './types.js';
