import type { Session } from '../session/types.js';

/**
 * The revocation marks of one user, as the mirror holds them (see `tokenRevocations` in
 * `createOrgkitTables`). Times are milliseconds since the epoch. @internal
 */
export interface TokenRevocations {
  /** Every access token issued before this is refused (`signOutEverywhere`, user deleted). */
  readonly sessionsBefore: number | undefined;
  /** WorkOS session ids whose tokens are refused (`session.revoked`). */
  readonly sessions: ReadonlySet<string>;
  /** Per organization: tokens issued before this grant nothing through their role claims. */
  readonly claimsBefore: ReadonlyMap<string, number>;
}

// `iat` is in whole seconds, so a token minted in the second of a change reads as older than it:
// such a token loses its claims too (the mirror still answers for it), never the other way round.
// A token without `iat` counts as older than every mark.
const issuedBefore = (session: Session, mark: number): boolean => {
  const iat = session.claims.iat;
  return typeof iat !== 'number' || iat * 1000 < mark;
};

/**
 * Whether `session`'s token was refused by a mark: its session was revoked, or all of its user's
 * tokens issued before it were.
 * @internal
 */
export function sessionRevoked(
  revocations: TokenRevocations | undefined,
  session: Session,
): boolean {
  if (revocations === undefined) return false;
  if (revocations.sessions.has(session.sessionId)) return true;
  const before = revocations.sessionsBefore;
  return before !== undefined && issuedBefore(session, before);
}

/**
 * Whether the token's `role`, `roles` and `permissions` claims still count: not when the token
 * was refused, nor when it is older than a change the mirror applied to its user's membership in
 * the token's organization (deleted, roles or status changed). The mirror then answers alone.
 * @internal
 */
export function claimsStillCount(
  revocations: TokenRevocations | undefined,
  session: Session,
): boolean {
  if (revocations === undefined) return true;
  if (sessionRevoked(revocations, session)) return false;
  const before =
    session.organizationId === undefined
      ? undefined
      : revocations.claimsBefore.get(session.organizationId);
  return before === undefined || !issuedBefore(session, before);
}

/** Builds a user's {@link TokenRevocations} from their rows; `undefined` when there are none. @internal */
export function revocationsFrom(
  rows: readonly { kind: string; subject: string; revokedAt: number }[],
): TokenRevocations | undefined {
  if (rows.length === 0) return undefined;
  let sessionsBefore: number | undefined;
  const sessions = new Set<string>();
  const claimsBefore = new Map<string, number>();
  for (const { kind, subject, revokedAt } of rows) {
    if (kind === 'sessions') sessionsBefore = Math.max(sessionsBefore ?? 0, revokedAt);
    else if (kind === 'session') sessions.add(subject);
    else if (kind === 'claims') claimsBefore.set(subject, revokedAt);
  }
  return { sessionsBefore, sessions, claimsBefore };
}
