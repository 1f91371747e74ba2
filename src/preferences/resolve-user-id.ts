import type { RequestScopeStore } from '../context/index.js';

/** The scope session's organization when the row being created is the session user's own. @internal */
export function scopeOrganizationOf(scope: RequestScopeStore, userId: string): string | null {
  const session = scope.current()?.session;
  return session?.userId === userId ? (session.organizationId ?? null) : null;
}
