import { LRUCache } from 'lru-cache';
import type { RequestScopeStore } from '../context/index.js';
import type { RoleRecord } from './role-query.js';

/** Where a user's database roles are remembered. @internal */
export interface RoleCache {
  /** The record from the request memo, the LRU, a query already running, or a new query. */
  get(userId: string): RoleRecord | Promise<RoleRecord>;
  /** The record if the request memo or the LRU holds it; never queries. */
  peek(userId: string): RoleRecord | undefined;
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

// One entry in the request's memo holds this cache's users, keyed by the user id itself: a
// look-up builds no key string to hash.
const MEMO_KEY = 'orgkit:roles';
type RequestMemo = Map<string, RoleRecord | Promise<RoleRecord>>;

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

  const requestMemo = (create: boolean): RequestMemo | undefined => {
    const scopeMemo = options.scope.current()?.memo;
    let memo = scopeMemo?.get(MEMO_KEY) as RequestMemo | undefined;
    if (scopeMemo && !memo && create) {
      memo = new Map();
      scopeMemo.set(MEMO_KEY, memo);
    }
    return memo;
  };

  return {
    get(userId) {
      const memo = requestMemo(true);
      const memoised = memo?.get(userId);
      if (memoised !== undefined) return memoised;
      const value = lru.get(userId) ?? inFlight.get(userId) ?? load(userId);
      if (memo && value instanceof Promise) {
        memo.set(userId, value);
        // A failed query is not remembered: the next call in the request tries again.
        value.then(
          (record) => memo.get(userId) === value && memo.set(userId, record),
          () => memo.get(userId) === value && memo.delete(userId),
        );
      } else memo?.set(userId, value);
      return value;
    },
    peek(userId) {
      const memoised = requestMemo(false)?.get(userId);
      if (memoised !== undefined) return memoised instanceof Promise ? undefined : memoised;
      // Not written to the memo: a peek never queries, so it cannot make a request query twice,
      // and a request that only peeks (a route guard) builds no memo at all.
      return lru.get(userId);
    },
    invalidate(userId, inScope) {
      epoch++;
      lru.delete(userId);
      inFlight.delete(userId);
      if (inScope) requestMemo(false)?.delete(userId);
    },
    clear() {
      epoch++;
      lru.clear();
      inFlight.clear();
    },
  };
}
