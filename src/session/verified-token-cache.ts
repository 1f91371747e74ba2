import { LRUCache } from 'lru-cache';
import type { Session } from './types.js';

/** A bounded cache of verified tokens whose entries never outlive the token's `exp`. @internal */
export interface VerifiedTokenCache {
  get(token: string): Session | undefined;
  set(token: string, session: Session): void;
}

interface Entry {
  token: string;
  session: Session;
}

// The tail of the signature: about 190 bits of it, as random as the signature itself.
const KEY_LENGTH = 32;

/**
 * Keyed by the token's last characters, with the whole token compared on a hit. The token
 * arrives as a new string with every request, so a map keyed by the whole of it would hash its
 * ~600 characters each time, which costs more than the rest of the look-up; hashing it with
 * SHA-256 would cost more still. A token that only shares the tail is a miss and is verified. No
 * entry outlives the token's own validity. `now` is the clock in ms (tests move it).
 * @internal
 */
export function createVerifiedTokenCache(max: number, now: () => number): VerifiedTokenCache {
  const lru = new LRUCache<string, Entry>({ max, ttlResolution: 0, perf: { now } });
  return {
    get(token) {
      const entry = lru.get(token.slice(-KEY_LENGTH));
      if (entry === undefined || entry.token !== token) return undefined;
      // The entry's TTL already ends at `exp`; checking `exp` itself keeps that true whatever the
      // cache's own bookkeeping does.
      return entry.session.expiresAt * 1000 <= now() ? undefined : entry.session;
    },
    set(token, session) {
      const ttl = session.expiresAt * 1000 - now();
      if (ttl > 0) lru.set(token.slice(-KEY_LENGTH), { token, session }, { ttl });
    },
  };
}
