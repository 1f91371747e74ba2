import { importPeer } from '../config/import-peer.js';
import type { RolesRedisOption } from './types.js';

/** The default Redis channel of role invalidations. */
export const DEFAULT_INVALIDATION_CHANNEL = 'orgkit:roles:invalidate';

// The few ioredis methods orgkit uses, so a client from another copy of ioredis fits too.
/** @internal */
export interface RedisConnection {
  status: string;
  publish(channel: string, message: string): Promise<unknown>;
  duplicate(): RedisConnection;
  subscribe(channel: string): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Role invalidations to and from the other orgkit instances. @internal */
export interface InvalidationBus {
  /** Resolves once the connections exist; rejects with `missing_dependency` without ioredis. */
  ready(): Promise<void>;
  publish(userId: string): Promise<void>;
  close(): Promise<void>;
}

export interface InvalidationHandlers {
  onInvalidate(userId: string): void;
  /** The subscriber reconnected: messages may have been missed while it was away. */
  onReconnect(): void;
}

/** A new ioredis connection to `url`; `missing_dependency` without ioredis. @internal */
export async function connectRedis(url: string): Promise<RedisConnection> {
  // Through importPeer: a bundler (a Worker's) never pulls ioredis in for apps without Redis.
  const { Redis } = await importPeer<{ Redis: new (url: string) => RedisConnection }>(
    'ioredis',
    'the redis option',
  );
  return new Redis(url);
}

/** Ends a connection orgkit opened. @internal */
export async function endRedis(connection: RedisConnection): Promise<void> {
  // QUIT waits for the server; a connection that is down or still retrying is just dropped.
  if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
  else connection.disconnect();
}

/**
 * Redis pub/sub of user ids whose roles changed. Best effort by design: while Redis is away a
 * role change reaches other instances when their cache entry expires (`cache.ttlMs`), and a
 * subscriber that reconnects clears its whole cache, since it may have missed messages.
 * @internal
 */
export function createInvalidationBus(
  option: RolesRedisOption,
  handlers: InvalidationHandlers,
): InvalidationBus {
  const channel = option.channel ?? DEFAULT_INVALIDATION_CHANNEL;
  const owned = 'url' in option;
  const connections = (async () => {
    const publisher = owned ? await connectRedis(option.url) : (option.client as RedisConnection);
    const subscriber = publisher.duplicate();
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) handlers.onReconnect();
      connectedBefore = true;
    });
    subscriber.on('message', (from: string, userId: string) => {
      if (from === channel) handlers.onInvalidate(userId);
    });
    // Ours to report on; the TTL bounds how stale a cache gets while Redis is unreachable.
    subscriber.on('error', () => {});
    if (owned) publisher.on('error', () => {});
    subscriber.subscribe(channel).catch(() => {});
    return { publisher, subscriber };
  })();
  connections.catch(() => {});
  let closed = false;

  return {
    ready: async () => {
      await connections;
    },
    async publish(userId) {
      const { publisher } = await connections;
      if (closed) return;
      // Not awaited: a publish queued while Redis reconnects must not hold up a role change.
      publisher.publish(channel, userId).catch(() => {});
    },
    async close() {
      if (closed) return;
      closed = true;
      const { publisher, subscriber } = await connections.catch(() => ({
        publisher: undefined,
        subscriber: undefined,
      }));
      await Promise.all([
        subscriber && endRedis(subscriber),
        owned && publisher ? endRedis(publisher) : undefined,
      ]);
    },
  };
}
