import { connectRedis, endRedis, type RedisConnection } from '../../roles/invalidation-bus.js';
import type { RefreshStore } from './refresh-store.js';

// The commands the store sends, beyond the bus's.
type RedisCommands = RedisConnection & {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ...args: (string | number)[]): Promise<unknown>;
  del(key: string): Promise<unknown>;
  eval(script: string, keys: number, ...args: string[]): Promise<unknown>;
};

/** The Redis option of refresh coordination: a URL orgkit connects to, or a client you own. */
export type RefreshRedisOption =
  | { url: string; keyPrefix?: string | undefined }
  | { client: unknown; keyPrefix?: string | undefined };

// Deletes the lease only if `holder` still has it.
const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/**
 * The refresh store of instances sharing Redis: `SET NX PX` leases and outcomes that expire with
 * the grace window.
 * @internal
 */
export function createRedisRefreshStore(option: RefreshRedisOption): RefreshStore {
  const prefix = option.keyPrefix ?? 'orgkit:refresh';
  const owned = 'url' in option;
  const connection = (
    owned ? connectRedis(option.url) : Promise.resolve(option.client as RedisConnection)
  ) as Promise<RedisCommands>;
  connection.then((c) => owned && c.on('error', () => {})).catch(() => {});
  const lease = (key: string) => `${prefix}:lease:${key}`;
  const outcome = (key: string) => `${prefix}:outcome:${key}`;

  return {
    async read(key) {
      return (await (await connection).get(outcome(key))) ?? undefined;
    },
    async claim(key, holder, leaseMs) {
      const redis = await connection;
      // An outcome stored meanwhile wins over a new lease.
      if ((await redis.get(outcome(key))) !== null) return false;
      return (await redis.set(lease(key), holder, 'PX', leaseMs, 'NX')) === 'OK';
    },
    async write(key, holder, value, ttlMs) {
      const redis = await connection;
      await redis.set(outcome(key), value, 'PX', ttlMs);
      await redis.eval(RELEASE, 1, lease(key), holder);
    },
    async release(key, holder) {
      await (await connection).eval(RELEASE, 1, lease(key), holder);
    },
    async close() {
      if (owned) await endRedis(await connection.catch(() => undefined as never)).catch(() => {});
    },
  };
}
