import type { Session } from '../session/types.js';
import type { RoleRecord } from './role-query.js';

/** Resolved principals, remembered so a request whose roles did not change builds nothing. @internal */
export interface PrincipalCache<T> {
  /** `userId`'s principal from `record`, through `token` (if the token counts) and `organizationId`. */
  get(
    record: RoleRecord,
    userId: string,
    token: Session | undefined,
    organizationId: string | undefined,
  ): T;
}

type ByOrganization<T> = Map<string | undefined, T>;

// Organization ids may come from request URLs: one record's memo must not grow without bound.
const MAX_ORGANIZATIONS_PER_RECORD = 32;

/**
 * Keyed by the role record and the session object themselves. The role cache replaces a user's
 * record whenever it reloads it (TTL, `invalidateUser`, `setUserRole`, a webhook, a Redis
 * message), so a principal can never outlive the record it was built from, and a token's
 * principal lives as long as the verified-token cache keeps that token's session.
 * @internal
 */
export function createPrincipalCache<T extends { readonly userId: string }>(
  build: PrincipalCache<T>['get'],
): PrincipalCache<T> {
  const withoutToken = new WeakMap<RoleRecord, ByOrganization<T>>();
  const withToken = new WeakMap<Session, WeakMap<RoleRecord, ByOrganization<T>>>();

  return {
    get(record, userId, token, organizationId) {
      let byRecord = token ? withToken.get(token) : withoutToken;
      if (!byRecord) {
        byRecord = new WeakMap();
        withToken.set(token as Session, byRecord);
      }
      let byOrganization = byRecord.get(record);
      if (!byOrganization) {
        byOrganization = new Map();
        byRecord.set(record, byOrganization);
      }
      let principal = byOrganization.get(organizationId);
      // A record is one user's, but nothing in its type says so: never hand out another's.
      if (principal === undefined || principal.userId !== userId) {
        if (byOrganization.size >= MAX_ORGANIZATIONS_PER_RECORD) byOrganization.clear();
        principal = build(record, userId, token, organizationId);
        byOrganization.set(organizationId, principal);
      }
      return principal;
    },
  };
}
