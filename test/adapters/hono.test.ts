import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { openTestDatabase } from '../support/databases.js';
import { describeAdapterContract } from './contract.js';
import { buildHonoApp } from './hono-app.js';
import { serveHono } from './servers.js';
import { orgkitFor } from './support.js';

describeAdapterContract('hono app.request()', async (orgkit, options) => {
  // app.request() has no socket: the peer is what @hono/node-server would report for a local proxy.
  const { app } = buildHonoApp(orgkit, { ...options, getRemoteAddress: () => '127.0.0.1' });
  return { request: async (path, init) => app.request(path, init), close: async () => {} };
});

describeAdapterContract('hono on @hono/node-server', async (orgkit, options) =>
  serveHono(() => buildHonoApp(orgkit, options).app),
);

describe('hono adapter specifics', () => {
  let tokens: TestTokenIssuer;
  let database: TestDatabase;
  beforeAll(async () => {
    tokens = await createTestTokenIssuer();
    database = await openTestDatabase({ url: undefined });
  });
  afterAll(async () => {
    await database?.close();
    await tokens?.close();
  });

  it('refuses a rule naming a role or permission the access control lacks, when the route is built', () => {
    const { auth } = buildHonoApp(orgkitFor(database, tokens));
    expect(() => auth.requireRole('owner' as never)).toThrowError(
      expect.objectContaining({
        code: 'invalid_config',
        message: expect.stringContaining('"owner"'),
      }),
    );
    expect(() => auth.requirePermission('posts:delete' as never)).toThrowError(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => auth.requireRole([] as never)).toThrowError(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => auth.requireAuth({ redirectTo: '//evil.example' })).toThrowError(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });

  it('refuses bad adapter options with the key named', () => {
    const orgkit = orgkitFor(database, tokens);
    expect(() => buildHonoApp(orgkit, { trustProxy: ['10.0.0.0/33'] })).toThrowError(
      /10\.0\.0\.0\/33/,
    );
    expect(() =>
      buildHonoApp(orgkit, { session: { workos: {} as never, cookiePassword: 'short' } }),
    ).toThrowError(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('guards work without the middleware: the guard opens the request scope itself', async () => {
    const { Hono } = await import('hono');
    const { createHonoAuth } = await import('../../src/adapters/hono/index.js');
    const orgkit = orgkitFor(database, tokens);
    const auth = createHonoAuth(orgkit);
    const app = new Hono().get('/me', auth.requireAuth(), (c) =>
      c.json({ userId: orgkit.requireAuth().userId, viaVar: c.var.session?.userId }),
    );
    const token = await tokens.mint({ sub: 'user_standalone' });
    const res = await app.request('/me', { headers: { authorization: `Bearer ${token}` } });
    expect(await res.json()).toEqual({ userId: 'user_standalone', viaVar: 'user_standalone' });
    expect((await app.request('/me')).status).toBe(401);
  });
});
