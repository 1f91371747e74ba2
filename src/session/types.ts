import type { JWTPayload } from 'jose';

/** Who is impersonating the user, from the token's `act` claim. */
export interface Impersonator {
  email: string;
  reason: string | null;
}

/** A verified WorkOS access token, in orgkit's shape. */
export interface Session {
  /** WorkOS user id (`sub`). */
  userId: string;
  /** WorkOS session id (`sid`). */
  sessionId: string;
  /** The organization the token is scoped to (`org_id`), if any. */
  organizationId: string | undefined;
  /** The membership's role in that organization (`role`). */
  role: string | undefined;
  /** All of the membership's roles (`roles`, or `[role]` when only `role` is set). */
  roles: readonly string[];
  permissions: readonly string[];
  entitlements: readonly string[];
  impersonator: Impersonator | undefined;
  /** Seconds since epoch at which the token expires. */
  expiresAt: number;
  /** Every claim, as verified. */
  claims: Readonly<JWTPayload & Record<string, unknown>>;
}
