import { LRUCache } from 'lru-cache';
import type { RequestScopeStore } from '../context/index.js';
import type { RoleRecord } from './role-query.js';

/** Where a user's database roles are remembered. @internal */
export interface RoleCache {
  /** The record from the request memo, the LRU, a query already running, or a new query. */
  get(userId: string): RoleRecord | Promise<RoleRecord>;
  /** Forgets a user; `inScope` also drops the current request's memo of them. */
  invalidate(userId: string, inScope: boolean): void;
  clear(): void;
}

export interface RoleCacheOptions {
  ttlMs: number;
  max: number;
  scope: RequestScopeStore;
  load(userId: string): Promise<RoleRecord>;
}

const MEMO_PREFIX = 'orgkit:roles:';

/**
 * Three layers: the request's memo (one request never queries a user twice, and sees one
 * answer throughout), a process-wide LRU with TTL, and a map of queries in flight so
 * concurrent misses share one query.
 * @internal
 */
export function createRoleCache(options: RoleCacheOptions): RoleCache {
  const lru = new LRUCache<string, RoleRecord>({ max: options.max, ttl: options.ttlMs });
  const inFlight = new Map<string, Promise<RoleRecord>>();
  // Bumped by every invalidation: a query that started before one must not fill the LRU with
  // what it read, because the row may have changed after it read it.
  let epoch = 0;

  const load = (userId: string): Promise<RoleRecord> => {
    const started = epoch;
    const query = options.load(userId).then(
      (record) => {
        if (inFlight.get(userId) === query) inFlight.delete(userId);
        if (started === epoch) lru.set(userId, record);
        return record;
      },
      (error: unknown) => {
        if (inFlight.get(userId) === query) inFlight.delete(userId);
        throw error;
      },
    );
    inFlight.set(userId, query);
    return query;
  };

  return {
    get(userId) {
      const memo = options.scope.current()?.memo;
      const key = MEMO_PREFIX + userId;
      const memoised = memo?.get(key) as RoleRecord | Promise<RoleRecord> | undefined;
      if (memoised !== undefined) return memoised;
      const value = lru.get(userId) ?? inFlight.get(userId) ?? load(userId);
      if (memo && value instanceof Promise) {
        memo.set(key, value);
        // A failed query is not remembered: the next call in the request tries again.
        value.then(
          (record) => memo.get(key) === value && memo.set(key, record),
          () => memo.get(key) === value && memo.delete(key),
        );
      } else memo?.set(key, value);
      return value;
    },
    invalidate(userId, inScope) {
      epoch++;
      lru.delete(userId);
      inFlight.delete(userId);
      if (inScope) options.scope.current()?.memo.delete(MEMO_PREFIX + userId);
    },
    clear() {
      epoch++;
      lru.clear();
      inFlight.clear();
    },
  };
}
