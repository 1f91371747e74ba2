/** Why part of a user's Clerk metadata was not written. Stable: callers switch on these. */
export const CLERK_METADATA_WARNING_CODES = [
  'invalid_role',
  'unmapped_role',
  'invalid_expert_setup',
  'unknown_expert_setup_step',
  'invalid_expert_setup_step',
  'invalid_security_preferences',
  'unknown_preference',
  'invalid_preference',
  'user_deleted_in_workos',
] as const;

export type ClerkMetadataWarningCode = (typeof CLERK_METADATA_WARNING_CODES)[number];

/**
 * Something in one user's metadata that was left out; the rest of the user's metadata is
 * written. Names the field, never a value from it (metadata may hold personal data).
 */
export interface ClerkMetadataWarning {
  readonly code: ClerkMetadataWarningCode;
  /** Where it came from, e.g. `public_metadata.securityPreferences.theme`. */
  readonly field: string;
  readonly reason: string;
}
