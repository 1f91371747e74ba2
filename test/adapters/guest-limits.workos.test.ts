// The booking form's guest provisioning behind each framework: a used-up limit answers 429 with
// `Retry-After`, a failed human check 403, both as `{ error: { code, message, reason } }`.
import express from 'express';
import { Hono } from 'hono';
import { NextRequest } from 'next/server.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExpressAuth } from '../../src/adapters/express/index.js';
import { createHonoAuth } from '../../src/adapters/hono/index.js';
import { createNextAuth } from '../../src/adapters/next/index.js';
import { createOrgkit, type Orgkit, type OrgkitConfig } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { openTestDatabase } from '../support/databases.js';
import type { AdapterHarness } from './contract.js';
import { listen } from './express-app.js';
import { serveHono } from './servers.js';

type Book = { email: string; humanToken?: string };

/** `POST /book` as each framework's app would write it, over its real request handling. */
const APPS: Record<string, (orgkit: Orgkit) => Promise<AdapterHarness>> = {
  express: async (orgkit) => {
    const auth = createExpressAuth(orgkit);
    const app = express();
    app.use(auth.express());
    app.post('/book', express.json(), async (req, res) => {
      const { email, humanToken } = req.body as Book;
      res.json(await orgkit.createOrGetGuestUser({ email }, { humanToken }));
    });
    app.use(auth.errorHandler());
    return listen(app);
  },
  hono: async (orgkit) =>
    serveHono(() => {
      const auth = createHonoAuth(orgkit);
      const app = new Hono();
      app.onError(auth.onError);
      app.use(auth.middleware());
      app.post('/book', async (c) => {
        const { email, humanToken } = await c.req.json<Book>();
        return c.json(await orgkit.createOrGetGuestUser({ email }, { humanToken }));
      });
      return app;
    }),
  next: async (orgkit) => {
    // A route handler sees no socket: without trustProxy the client IP is unknown and the per-IP
    // limit cannot apply, so a deployment behind one proxy says so.
    const auth = createNextAuth(orgkit, { authkit: async () => ({ user: null }), trustProxy: 1 });
    // app/book/route.ts
    const POST = auth.handler(async (request) => {
      const { email, humanToken } = (await request.json()) as Book;
      return Response.json(await orgkit.createOrGetGuestUser({ email }, { humanToken }));
    });
    return {
      // Next runs behind the platform's proxy, which names the client in X-Forwarded-For.
      request: (path, init) =>
        POST(
          new NextRequest(new URL(path, 'http://localhost:3000'), {
            ...(init as ConstructorParameters<typeof NextRequest>[1]),
            headers: {
              ...(init?.headers as Record<string, string>),
              'x-forwarded-for': '203.0.113.4',
            },
          }),
          { params: Promise.resolve({}) },
        ),
      close: async () => undefined,
    };
  },
};

describe.each(Object.keys(APPS))('guest booking through %s', (name) => {
  let emulator: WorkOSEmulator;
  let database: TestDatabase;
  let app: AdapterHarness | undefined;
  beforeAll(async () => {
    emulator = await startWorkOSEmulator();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(async () => {
    emulator.reset();
    database = await openTestDatabase({ url: undefined });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await database.close();
  });

  const serve = async (guests: NonNullable<OrgkitConfig['guests']>) => {
    const orgkit = createOrgkit({
      database: database.db,
      workos: emulator.createClient({ maxRetries: 0 }),
      clientId: emulator.clientId,
      guests,
    });
    app = await APPS[name]!(orgkit);
    return app;
  };
  const book = (harness: AdapterHarness, body: Book) =>
    harness.request('/book', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers 429 with Retry-After once the client IP has used its limit', async () => {
    const harness = await serve({
      limits: {
        perIp: { points: 2, durationSeconds: 120 },
        perEmail: false,
        global: false,
      },
    });
    expect((await book(harness, { email: 'one@example.com' })).status).toBe(200);
    expect((await book(harness, { email: 'two@example.com' })).status).toBe(200);
    const refused = await book(harness, { email: 'three@example.com' });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 120).toBe(true);
    const body = (await refused.json()) as { error: Record<string, string> };
    expect(body.error).toMatchObject({ code: 'rate_limited', reason: 'ip_limit' });
    expect(JSON.stringify(body)).not.toMatch(/three@example\.com|127\.0\.0\.1|203\.0\.113\.4/);
    const users = await emulator.createClient().userManagement.listUsers({ limit: 10 });
    expect(users.data.map((u) => u.email).sort()).toEqual(['one@example.com', 'two@example.com']);
  });

  it('answers 403 human_verification_failed when verifyHuman refuses, and creates nobody', async () => {
    const seen: (string | undefined)[] = [];
    const harness = await serve({
      verifyHuman: ({ token, ipAddress, inRequest }) => {
        seen.push(ipAddress);
        return inRequest && token === 'turnstile-ok';
      },
    });
    const refused = await book(harness, { email: 'bot@example.com', humanToken: 'forged' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
      code: 'forbidden',
      reason: 'human_verification_failed',
    });
    expect((await emulator.createClient().userManagement.listUsers({ limit: 10 })).data).toEqual(
      [],
    );
    const accepted = await book(harness, { email: 'pat@example.com', humanToken: 'turnstile-ok' });
    expect(accepted.status).toBe(200);
    expect(seen).toEqual(
      name === 'next' ? ['203.0.113.4', '203.0.113.4'] : ['127.0.0.1', '127.0.0.1'],
    );
  });
});
