import { LRUCache } from 'lru-cache';
import type { Session } from './types.js';

/** A bounded cache of verified tokens whose entries never outlive the token's `exp`. @internal */
export interface VerifiedTokenCache {
  get(token: string): Session | undefined;
  set(token: string, session: Session): void;
}

/**
 * Keyed by the token string itself: the lookup costs a map probe, where hashing first would cost
 * a SHA-256 per request (about a fifth of a verification with `crypto.subtle`), and no entry
 * outlives the token's own validity. `now` is the clock in ms (tests move it).
 * @internal
 */
export function createVerifiedTokenCache(max: number, now: () => number): VerifiedTokenCache {
  const lru = new LRUCache<string, Session>({ max, ttlResolution: 0, perf: { now } });
  return {
    get(token) {
      const session = lru.get(token);
      // The entry's TTL already ends at `exp`; checking `exp` itself keeps that true whatever the
      // cache's own bookkeeping does.
      if (session === undefined || session.expiresAt * 1000 <= now()) return undefined;
      return session;
    },
    set(token, session) {
      const ttl = session.expiresAt * 1000 - now();
      if (ttl > 0) lru.set(token, session, { ttl });
    },
  };
}
