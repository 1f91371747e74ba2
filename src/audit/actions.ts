/**
 * The actions orgkit records itself, with the resource type each one names. Stable: dashboards
 * and alerts are built on them, so a rename is a breaking change.
 */
export const ORGKIT_AUDIT_ACTIONS = {
  /** An admin cleared an expert's setup steps (`resetSetup`). */
  'expert_setup.reset': 'expert_setup',
  /** A user's preferences changed (`updateUserPreferences`); only changed keys are recorded. */
  'preferences.updated': 'user_preferences',
  /** A user's preferences went back to the defaults (`resetToDefaults`). */
  'preferences.reset': 'user_preferences',
  /** The mirror saw a membership appear in WorkOS, with its roles. */
  'membership.created': 'membership',
  /** The mirror saw a membership's roles or status change in WorkOS. */
  'membership.updated': 'membership',
  /** The mirror saw a membership removed in WorkOS (its roles no longer count). */
  'membership.deleted': 'membership',
  /** A user's app role changed (`setUserRole`), with the old and the new role. */
  'user.role_changed': 'user',
  /**
   * WorkOS revoked a session (a `session.revoked` event): its access tokens are refused from
   * then on, on every instance.
   */
  'session.revoked': 'session',
  /**
   * Every session of a user was ended (`signOutEverywhere`, or the user deleted in WorkOS): the
   * user's access tokens issued before it are refused.
   */
  'user.sessions_revoked': 'user',
  /**
   * Refreshing a sealed session went wrong (`reason`: `store_unavailable`, `wait_timed_out`,
   * `session_ended`), recorded with the request's IP, user agent and id.
   */
  'session.refresh_failed': 'session',
  /** A signed-in session moved into another organization (`auth.switchOrganization`). */
  'session.organization_switched': 'session',
  /** A guest was provisioned: WorkOS user, personal organization and owner membership. */
  'guest.provisioned': 'user',
  /** An adapter refused a request with 403. */
  'access.denied': 'request',
  /** Someone read the audit log (`queryAuditEvents` inside a request). */
  'audit.read': 'audit_log',
  /** Expired events were removed up to a purge checkpoint. */
  'audit.purged': 'audit_log',
  /** A user broke the glass: time-boxed emergency access to a subject's records (`breakGlass`). */
  'access.break_glass': 'emergency_access',
  /** The `access.onBreakGlass` alert threw; the access stands. */
  'access.break_glass_alert_failed': 'emergency_access',
  /** Someone read the list of emergency grants to review. */
  'access.emergency_list_read': 'emergency_access',
  /** A reviewer recorded the outcome of an emergency access. */
  'access.emergency_reviewed': 'emergency_access',
  /** Someone read a person's access report or accounting of disclosures. */
  'access.report_read': 'access_report',
} as const;

/**
 * The actions `recordAccess` and `recordDisclosure` record, under the app's own resource types
 * (so they are not in {@link ORGKIT_AUDIT_ACTIONS}).
 */
export const ORGKIT_ACCESS_ACTIONS = ['access.read', 'access.disclosed'] as const;

/** An action orgkit records itself. */
export type OrgkitAuditAction = keyof typeof ORGKIT_AUDIT_ACTIONS;

/** A resource type orgkit's own actions name. */
export type OrgkitAuditResourceType = (typeof ORGKIT_AUDIT_ACTIONS)[OrgkitAuditAction];
