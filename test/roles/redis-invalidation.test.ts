import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestScopeStore } from '../../src/context/index.js';
import { createRoles, defaultAccessControl } from '../../src/roles/index.js';
import { DATABASE_TARGETS } from '../support/databases.js';
import { insertUser, JOB, openRoles, tables } from './support.js';

const REDIS_URL = process.env.REDIS_URL;
const DATABASE_URL = process.env.DATABASE_URL;
const uniqueChannel = () => `orgkit:test:${crypto.randomUUID()}`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached within 5 s');
}

describe.runIf(REDIS_URL)('role invalidation over Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL!);
  });
  afterAll(async () => {
    await redis.quit();
  });
  const subscribers = async (channel: string) =>
    Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);

  describe.each(DATABASE_TARGETS)('on $name', (target) => {
    it('a role changed through one instance shows in another that had it cached', async () => {
      const channel = uniqueChannel();
      const a = await openRoles(target, { redis: { url: REDIS_URL!, channel } });
      const b = createRoles({
        db: a.t.db,
        tables,
        accessControl: defaultAccessControl,
        scope: new RequestScopeStore(),
        cache: { ttlMs: 600_000, max: 100 },
        redis: { url: REDIS_URL!, channel },
      });
      try {
        await insertUser(a.t.db, 'user_a', 'user');
        expect(await b.getUserRoles('user_a')).toEqual(['user']);
        await until(
          () => subscribers(channel),
          (n) => n === 2,
        );

        await a.roles.setUserRole('user_a', 'expert_top', JOB);
        await until(
          () => b.getUserRoles('user_a'),
          (roles) => roles[0] === 'expert_top',
        );

        // A change synced from WorkOS by instance A reaches B through invalidateUser.
        await a.t.db
          .update(tables.users)
          .set({ role: 'admin' })
          .where(eq(tables.users.workosUserId, 'user_a'));
        expect(await b.getUserRoles('user_a')).toEqual(['expert_top']);
        await a.roles.invalidateUser('user_a');
        await until(
          () => b.getUserRoles('user_a'),
          (roles) => roles[0] === 'admin',
        );
      } finally {
        await b.close();
        await a.close();
      }
      expect(await subscribers(channel)).toBe(0);
    });
  });

  it('close() ends the connections orgkit opened but not a client passed in', async () => {
    const channel = uniqueChannel();
    const client = new Redis(REDIS_URL!);
    const h = await openRoles({ url: undefined }, { redis: { client, channel } });
    try {
      await until(
        () => subscribers(channel),
        (n) => n === 1,
      );
      await h.roles.close();
      expect(await subscribers(channel)).toBe(0);
      expect(await client.ping()).toBe('PONG');
    } finally {
      await h.close();
      await client.quit();
    }
  });

  describe.runIf(DATABASE_URL)('across two processes on the real server', () => {
    it('a role change made in one process is seen by the other within 100 ms', async () => {
      const channel = uniqueChannel();
      const h = await openRoles({ url: DATABASE_URL }, { redis: { url: REDIS_URL!, channel } });
      let child: ChildProcessWithoutNullStreams | undefined;
      try {
        await insertUser(h.t.db, 'user_a', 'user');
        child = spawn(
          process.execPath,
          ['--import', 'tsx', new URL('./fixtures/second-instance.ts', import.meta.url).pathname],
          {
            env: {
              ...process.env,
              DATABASE_URL,
              TEST_SCHEMA: h.t.schema,
              REDIS_URL,
              CHANNEL: channel,
              USER_ID: 'user_a',
            },
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
        const ask = async (command: string) => {
          child!.stdin.write(`${command}\n`);
          const next = await replies.next();
          if (next.done) throw new Error(`second instance exited: ${stderr}`);
          return JSON.parse(next.value) as { roles: string[]; seenAt?: number };
        };

        expect((await ask('roles')).roles).toEqual(['user']);
        await until(
          () => subscribers(channel),
          (n) => n === 2,
        );

        // Control: a change the bus does not carry stays invisible to the other process's cache.
        await h.t.db
          .update(tables.users)
          .set({ role: 'admin' })
          .where(eq(tables.users.workosUserId, 'user_a'));
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect((await ask('roles')).roles).toEqual(['user']);

        const seen = ask('watch expert_top');
        const changedAt = Date.now();
        await h.roles.setUserRole('user_a', 'expert_top', JOB);
        const { seenAt } = await seen;
        expect(seenAt! - changedAt).toBeLessThan(100);
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.stdin.end();
        await exited;
        expect(child.exitCode).toBe(0);
      } finally {
        if (child && child.exitCode === null) child.kill();
        await h.close();
      }
    });
  });
});
