import { defineAccessControl } from './define-access-control.js';

/**
 * The seed app's access model (seed 3.2): six app roles and WorkOS's four organization roles.
 * A starting point: apps define their own with {@link defineAccessControl}.
 */
export const defaultAccessControl = defineAccessControl({
  permissions: [
    'profile:read',
    'profile:write',
    'meetings:read',
    'meetings:write',
    'events:write',
    'experts:read',
    'experts:manage',
    'users:manage',
    'org:read',
    'org:manage',
    'billing:manage',
    'audit:read',
  ],
  appRoles: {
    user: ['profile:read', 'profile:write', 'meetings:read', 'experts:read'],
    expert_community: [
      'profile:read',
      'profile:write',
      'meetings:read',
      'meetings:write',
      'events:write',
      'experts:read',
    ],
    expert_top: [
      'profile:read',
      'profile:write',
      'meetings:read',
      'meetings:write',
      'events:write',
      'experts:read',
    ],
    expert_lecturer: [
      'profile:read',
      'profile:write',
      'meetings:read',
      'events:write',
      'experts:read',
    ],
    admin: [
      'profile:read',
      'meetings:read',
      'experts:read',
      'experts:manage',
      'users:manage',
      'audit:read',
    ],
    superadmin: [
      'profile:read',
      'profile:write',
      'meetings:read',
      'meetings:write',
      'events:write',
      'experts:read',
      'experts:manage',
      'users:manage',
      'org:read',
      'org:manage',
      'billing:manage',
      'audit:read',
    ],
  },
  orgRoles: {
    owner: ['org:read', 'org:manage', 'billing:manage', 'audit:read'],
    admin: ['org:read', 'org:manage', 'audit:read'],
    member: ['org:read'],
    billing_admin: ['org:read', 'billing:manage'],
  },
});

/** The type of {@link defaultAccessControl}. */
export type DefaultAccessControl = typeof defaultAccessControl;
