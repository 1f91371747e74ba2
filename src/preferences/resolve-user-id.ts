import { z } from 'zod';
import type { RequestScopeStore } from '../context/index.js';
import { OrgkitError, parseInput } from '../errors/index.js';

const userIdSchema = z.string().min(1).max(256);

/** Validates a WorkOS user id given explicitly. @internal */
export function parseUserId(userId: unknown, what: string): string {
  return parseInput(userIdSchema, userId, `${what}: userId`);
}

/**
 * The explicit user id, validated, or else the request scope's session user (seed functions
 * read the session implicitly; jobs and scripts pass the id).
 * @internal
 */
export function resolveUserId(scope: RequestScopeStore, userId: unknown, what: string): string {
  if (userId !== undefined) return parseUserId(userId, what);
  const current = scope.current();
  if (!current?.session) {
    throw new OrgkitError(
      'unauthenticated',
      `${what}: no user id given and no authenticated session in this request`,
      { reason: current ? 'no_session' : 'no_request_scope' },
    );
  }
  return current.session.userId;
}

/** The scope session's organization when the row being created is the session user's own. @internal */
export function scopeOrganizationOf(scope: RequestScopeStore, userId: string): string | null {
  const session = scope.current()?.session;
  return session?.userId === userId ? (session.organizationId ?? null) : null;
}
