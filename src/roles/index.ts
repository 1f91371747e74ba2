// CONTRACT STUB — replaced by the roles implementation.
import type { RequestScopeStore } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import type { AccessControl, AppRoleOf, PermissionOf, RoleOf } from './define-access-control.js';

export type { DefaultAccessControl } from './default-access-control.js';
export { defaultAccessControl } from './default-access-control.js';
export type {
  AccessControl,
  AccessControlDefinition,
  AppRoleOf,
  PermissionOf,
  RoleOf,
} from './define-access-control.js';
export { defineAccessControl } from './define-access-control.js';

export interface RolesDeps<AC extends AccessControl> {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  accessControl: AC;
  scope: RequestScopeStore;
  cache: { ttlMs: number; max: number };
  redis?:
    | { url: string; channel?: string | undefined }
    | { client: unknown; channel?: string | undefined }
    | undefined;
}

export interface RoleQueryOptions {
  organizationId?: string | undefined;
}

export interface PermissionDecision<P extends string = string> {
  allowed: boolean;
  reason: 'granted' | 'missing_permission' | 'unauthenticated';
  missing: P[];
  roles: string[];
}

export interface RolesApi<AC extends AccessControl> {
  getUserRoles(userId?: string, options?: RoleQueryOptions): Promise<RoleOf<AC>[]>;
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
  checkPermissions(
    userId: string | undefined,
    permissions: readonly PermissionOf<AC>[],
    options?: RoleQueryOptions,
  ): Promise<PermissionDecision<PermissionOf<AC>>>;
  setUserRole(userId: string, role: AppRoleOf<AC>): Promise<void>;
  invalidateUser(userId: string): Promise<void>;
  close(): Promise<void>;
}

export function createRoles<AC extends AccessControl>(_deps: RolesDeps<AC>): RolesApi<AC> {
  throw new Error('not implemented');
}
