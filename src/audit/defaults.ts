/** What an instance's audit settings are when its config leaves them out. */
export const AUDIT_DEFAULTS = {
  /** Six years (HIPAA 164.316(b)(2)) plus a year of margin. */
  retentionDays: 2_557,
  readPermission: 'audit:read',
} as const;
