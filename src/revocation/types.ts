import type { UserActionOptions } from '../context/index.js';

/** The outcome of {@link RevocationApi.signOutEverywhere}. */
export interface SignOutEverywhereResult {
  userId: string;
  /** The user's WorkOS sessions revoked by this call (already-ended ones are not counted). */
  workosSessionsRevoked: number;
  /** Access tokens of the user issued before this time are refused, on every instance. */
  tokensRefusedBefore: Date;
}

/** Ending a user's sessions. */
export interface RevocationApi {
  /**
   * Signs a user out everywhere: revokes every WorkOS session of theirs (so no refresh mints a
   * new token), then refuses every access token of theirs issued until now, on every instance
   * (through Redis, as role changes), and records `user.sessions_revoked`. Guarded like the other
   * functions taking a user id: a user may sign themselves out; another user needs the manage
   * permission (`users.managePermission`); outside a request pass `{ actor: { system } }`. When
   * WorkOS cannot be reached it throws `upstream_unavailable` and refuses nothing yet: call again
   * (sessions already revoked are skipped).
   */
  signOutEverywhere(userId: string, options?: UserActionOptions): Promise<SignOutEverywhereResult>;
}
