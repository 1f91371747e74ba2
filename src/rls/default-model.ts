import { DEFAULT_TABLE_NAMES, type OrgkitTableNames } from '../db/tables.js';
import { defineRlsModel, type RlsModel, type RlsTableRule } from './model.js';

/**
 * The rules for orgkit's own tables, under the names given to `createOrgkitTables(names)`.
 * Spread them into an app's model beside its own tables.
 *
 * - `users`: each user reads their own row. Not writable: `users.role` is the app role, and
 *   the mirror sync (not the request role) keeps the row in step with WorkOS.
 * - `user_preferences`, `expert_setup`: read and written by their own user.
 * - `orgkit_clerk_profiles`: read by its own user; written only by the Clerk migration.
 * - `organizations`: readable in the token's organization and in the user's active memberships.
 * - `user_org_memberships`: readable within the token's organization, and the user's own.
 * - `audit_logs`: inserted by the token's user in the token's organization; read with
 *   `audit:read` (or `readPermission`) within the organization; never updated or deleted.
 * - `orgkit_emergency_access`: each user reads their own emergency grants; nobody writes them.
 * - other `orgkit_*`: not reachable by the request role.
 *
 * @example
 * ```ts
 * const model = defineRlsModel({ tables: { ...orgkitRlsTables({ users: 'app_users' }) } })
 * ```
 */
export function orgkitRlsTables(
  names: Partial<OrgkitTableNames> = {},
  options: { readPermission?: string } = {},
): Record<string, RlsTableRule> {
  const n = { ...DEFAULT_TABLE_NAMES, ...names };
  return {
    [n.users]: {
      kind: 'owner',
      userColumn: 'workos_user_id',
      commands: { insert: false, update: false, delete: false },
    },
    [n.userPreferences]: { kind: 'owner', userColumn: 'workos_user_id' },
    [n.expertSetup]: { kind: 'owner', userColumn: 'workos_user_id' },
    [n.organizations]: {
      kind: 'org',
      organizationColumn: 'workos_org_id',
      commands: { insert: false, update: false, delete: false },
      selectForMembers: {
        table: n.userOrgMemberships,
        userColumn: 'workos_user_id',
        organizationColumn: 'workos_org_id',
        statusColumn: 'status',
      },
    },
    [n.userOrgMemberships]: {
      kind: 'shared',
      organizationColumn: 'workos_org_id',
      sharedUserColumn: 'workos_user_id',
      commands: { insert: false, update: false, delete: false },
    },
    [n.auditLogs]: {
      kind: 'append-only',
      organizationColumn: 'workos_org_id',
      userColumn: 'actor_workos_user_id',
      commands: { select: { permission: options.readPermission ?? 'audit:read' } },
    },
    [n.syncCursors]: { kind: 'internal' },
    [n.guestProvisioning]: { kind: 'internal' },
    [n.mirrorTombstones]: { kind: 'internal' },
    [n.auditHeads]: { kind: 'internal' },
    [n.auditCheckpoints]: { kind: 'internal' },
    [n.auditOutbox]: { kind: 'internal' },
    [n.tokenRevocations]: { kind: 'internal' },
    [n.sessionRefreshes]: { kind: 'internal' },
    // Read by its own user; only the Clerk migration writes it.
    [n.clerkProfiles]: {
      kind: 'owner',
      userColumn: 'workos_user_id',
      commands: { insert: false, update: false, delete: false },
    },
    // Each user reads their own emergency grants (what `emergencyAccess` policies look up);
    // only orgkit writes them.
    [n.emergencyAccess]: {
      kind: 'owner',
      userColumn: 'grantee_workos_user_id',
      commands: { insert: false, update: false, delete: false },
    },
    // The migration journal (src/db/migrate.ts); its name is fixed.
    orgkit_migrations: { kind: 'internal' },
  };
}

/**
 * The model for orgkit's own tables alone: what `orgkit rls generate` uses without `--config`.
 *
 * @example
 * ```ts
 * const sql = generateRlsSql(defaultRlsModel(), { target: 'neon' })
 * ```
 */
export function defaultRlsModel(names: Partial<OrgkitTableNames> = {}): RlsModel {
  return defineRlsModel({ tables: orgkitRlsTables(names) });
}
