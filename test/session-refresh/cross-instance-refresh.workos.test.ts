import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/database.js';
import type { WorkOSEmulator } from '../../src/testing/emulator.js';
import { openTestDatabase } from '../support/databases.js';
import {
  CLIENT_ID,
  COOKIE_PASSWORD,
  closeServer,
  cookiePair,
  listen,
  setupRefreshEmulator,
  singleUseRule,
} from './support.js';

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const GRACE_MS = 7_000;
const INSTANCE = new URL('./fixtures/refresh-instance.ts', import.meta.url).pathname;

const bodyOf = (req: import('node:http').IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

/**
 * WorkOS as the instances (other processes) see it: the emulator behind a proxy that makes every
 * refresh token single-use, as WorkOS does, and counts refresh calls.
 */
async function startSingleUseWorkOS(emulator: WorkOSEmulator) {
  const rule = singleUseRule();
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    if (req.url?.startsWith('/user_management/authenticate') && req.method === 'POST') {
      const refused = rule.judge(JSON.parse(body.toString() || '{}'));
      if (refused) {
        res.writeHead(refused.status, { 'content-type': 'application/json' });
        res.end(await refused.text());
        return;
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') {
        headers[name] = value;
      }
    }
    const upstream = await fetch(`${emulator.url}${req.url}`, {
      method: req.method,
      headers,
      ...(body.length ? { body: new Uint8Array(body) } : {}),
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return { url: await listen(server), state: rule.state, server };
}

interface Instance {
  child: ChildProcessWithoutNullStreams;
  url: string;
}

async function startInstance(vars: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', INSTANCE], {
    env: { ...process.env, ...vars },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error(`instance exited: ${stderr}`);
  const { port } = JSON.parse(first.value) as { port: number };
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stopInstance({ child }: Instance): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  await exited;
}

describe.runIf(DATABASE_URL)('a sealed session refreshed across instances', () => {
  const env = setupRefreshEmulator();

  const stores = [
    ...(REDIS_URL ? [{ name: 'three processes sharing Redis', coordinate: 'redis' }] : []),
    { name: 'three processes sharing Postgres only', coordinate: 'postgres' },
  ];

  it.each(stores)(
    '$name: 30 concurrent requests each with one expired cookie → all 200, one refresh, one new cookie; the old one works through the grace window only',
    async ({ coordinate }) => {
      env.emulator.reset();
      const t = await openTestDatabase({ url: DATABASE_URL }, { plain: true });
      const workos = await startSingleUseWorkOS(env.emulator);
      const instances: Instance[] = [];
      try {
        const vars = {
          DATABASE_URL: DATABASE_URL!,
          TEST_SCHEMA: t.schema!,
          WORKOS_URL: workos.url,
          WORKOS_API_KEY: env.emulator.apiKey,
          CLIENT_ID,
          COOKIE_PASSWORD,
          JWKS_URL: env.jwksUrl,
          ISSUERS: ['https://api.workos.com', env.emulator.url, workos.url, env.tokens.issuer].join(
            ',',
          ),
          COORDINATE: coordinate,
          REDIS_URL: REDIS_URL ?? '',
          KEY_PREFIX: `orgkit:test:${crypto.randomUUID()}`,
          GRACE_MS: String(GRACE_MS),
        };
        instances.push(...(await Promise.all([1, 2, 3].map(() => startInstance(vars)))));
        const old = await env.expiredCookie();
        const get = (instance: Instance, cookie: string) =>
          fetch(instance.url, { headers: { cookie } });

        const responses = await Promise.all(
          instances.flatMap((instance) => Array.from({ length: 30 }, () => get(instance, old))),
        );
        const burstDone = Date.now();
        expect(responses.map((r) => r.status)).toEqual(Array(90).fill(200));
        expect(workos.state.refreshes).toBe(1);
        const cookies = new Set(responses.map(cookiePair));
        expect(cookies.size).toBe(1);
        const fresh = [...cookies][0]!;
        expect(fresh).not.toBe(old);

        // The new cookie works everywhere, with no further refresh.
        for (const instance of instances) {
          const response = await get(instance, fresh);
          expect(response.status).toBe(200);
          expect(cookiePair(response)).toBeUndefined();
        }
        expect(workos.state.refreshes).toBe(1);

        // Five seconds later the old cookie still gets the new session.
        await new Promise((resolve) => setTimeout(resolve, 5_000 - (Date.now() - burstDone)));
        for (const instance of instances) {
          const response = await get(instance, old);
          expect(response.status).toBe(200);
          expect(cookiePair(response)).toBe(fresh);
        }
        expect(workos.state.refreshes).toBe(1);

        // After the window it is refused: WorkOS will not exchange its refresh token twice.
        await new Promise((resolve) =>
          setTimeout(resolve, GRACE_MS + 500 - (Date.now() - burstDone)),
        );
        const late = await get(instances[0]!, old);
        expect(late.status).toBe(401);
        expect(await late.json()).toEqual({ reason: 'session_ended' });
        expect(cookiePair(late)).toBe('wos-session=');
        expect(workos.state.refused).toBe(1);
        // The refusal is in the audit log with the request's context; nothing of the store's
        // outcome remains in the database beyond its window.
        const recorded = rowsOf<{ metadata: unknown; outcome: string }>(
          await t.db.execute(
            sql`SELECT metadata, outcome FROM audit_logs WHERE action = 'session.refresh_failed'`,
          ),
        );
        expect(recorded).toEqual([{ metadata: { reason: 'session_ended' }, outcome: 'failure' }]);
      } finally {
        await Promise.all(instances.map(stopInstance));
        await closeServer(workos.server);
        await t.close();
      }
    },
    60_000,
  );
});
