import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/database.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { openTestDatabase } from '../support/databases.js';

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const CLIENT_ID = 'client_refresh_test';
const COOKIE_PASSWORD = 'a-test-cookie-password-of-32-chars-or-more';
const PASSWORD = 'correct horse battery staple 42';
const GRACE_MS = 7_000;
const INSTANCE = new URL('./fixtures/refresh-instance.ts', import.meta.url).pathname;

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
const close = (server: Server | undefined) =>
  new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
const bodyOf = (req: import('node:http').IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

/**
 * WorkOS as the instances see it: the emulator behind a proxy that makes every refresh token
 * single-use, as WorkOS does ("Refresh token already exchanged"), and counts refresh calls.
 */
async function startSingleUseWorkOS(emulator: WorkOSEmulator) {
  const used = new Set<string>();
  const state = { refreshes: 0, refused: 0 };
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    if (req.url?.startsWith('/user_management/authenticate') && req.method === 'POST') {
      const fields = JSON.parse(body.toString() || '{}') as Record<string, string>;
      if (fields.grant_type === 'refresh_token') {
        state.refreshes++;
        if (used.has(fields.refresh_token!)) {
          state.refused++;
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: 'invalid_grant',
              error_description: 'Refresh token already exchanged.',
            }),
          );
          return;
        }
        used.add(fields.refresh_token!);
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
  return { url: await listen(server), state, server };
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

const cookiePair = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith('wos-session='))
    ?.split(';')[0];

describe.runIf(DATABASE_URL)('a sealed session refreshed across instances', () => {
  let emulator: WorkOSEmulator;
  let tokens: TestTokenIssuer;
  let jwks: Server;
  let jwksUrl: string;

  beforeAll(async () => {
    emulator = await startWorkOSEmulator({ clientId: CLIENT_ID });
    tokens = await createTestTokenIssuer({ clientId: CLIENT_ID });
    // The instances trust the emulator's keys (refreshed tokens) and the test issuer's (the
    // expired token of the first cookie).
    const emulatorJwks = emulator.createClient().userManagement.getJwksUrl(CLIENT_ID);
    jwks = createServer(async (_req, res) => {
      const upstream = (await (await fetch(emulatorJwks)).json()) as { keys: unknown[] };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [...upstream.keys, ...tokens.jwks().keys] }));
    });
    jwksUrl = `${await listen(jwks)}/jwks`;
  });
  afterAll(async () => {
    await close(jwks);
    await tokens?.close();
    await emulator?.close();
  });

  /** Ada signs in; her sealed cookie holds an access token that expired two minutes ago. */
  async function expiredCookie(): Promise<string> {
    const plain = emulator.createClient();
    await plain.userManagement.createUser({ email: 'ada@example.com', password: PASSWORD });
    const expiring: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes('/user_management/authenticate')) return response;
      const answer = await response.json();
      const { sub, sid } = decodeJwt(answer.access_token) as { sub: string; sid: string };
      answer.access_token = await tokens.mint({ sub, sid }, { expiresIn: -120 });
      return Response.json(answer, { status: response.status });
    };
    const signedIn = await emulator
      .createClient({ fetchFn: expiring })
      .userManagement.authenticateWithPassword({
        clientId: CLIENT_ID,
        email: 'ada@example.com',
        password: PASSWORD,
        session: { sealSession: true, cookiePassword: COOKIE_PASSWORD },
      });
    return signedIn.sealedSession!;
  }

  const stores = [
    ...(REDIS_URL ? [{ name: 'three processes sharing Redis', coordinate: 'redis' }] : []),
    { name: 'three processes sharing Postgres only', coordinate: 'postgres' },
  ];

  it.each(stores)(
    '$name: 30 concurrent requests each with one expired cookie → all 200, one refresh, one new cookie; the old one works through the grace window only',
    async ({ coordinate }) => {
      emulator.reset();
      const t = await openTestDatabase({ url: DATABASE_URL }, { plain: true });
      const workos = await startSingleUseWorkOS(emulator);
      const instances: Instance[] = [];
      try {
        const vars = {
          DATABASE_URL: DATABASE_URL!,
          TEST_SCHEMA: t.schema!,
          WORKOS_URL: workos.url,
          WORKOS_API_KEY: emulator.apiKey,
          CLIENT_ID,
          COOKIE_PASSWORD,
          JWKS_URL: jwksUrl,
          ISSUERS: ['https://api.workos.com', emulator.url, workos.url, tokens.issuer].join(','),
          COORDINATE: coordinate,
          REDIS_URL: REDIS_URL ?? '',
          KEY_PREFIX: `orgkit:test:${crypto.randomUUID()}`,
          GRACE_MS: String(GRACE_MS),
        };
        instances.push(...(await Promise.all([1, 2, 3].map(() => startInstance(vars)))));
        const old = `wos-session=${await expiredCookie()}`;
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
        await close(workos.server);
        await t.close();
      }
    },
    60_000,
  );
});
