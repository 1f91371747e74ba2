import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgkitTables } from '../../src/db/tables.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { bundleEdgeRoute, type EdgeRoute, loadEdgeRoute } from './next-edge/edge-sandbox.js';
import { ADMIN, READER, seedRuntimeUsers } from './support/scenario.js';
import { startWsProxy, type WsProxy } from './support/ws-proxy.js';

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) throw new Error('needs DATABASE_URL (PostgreSQL)');

// A Next.js route handler with `runtime = 'edge'` (next-edge/route.ts), bundled as Next's edge
// build resolves it and run in the edge runtime Next runs such routes in: orgkit's core, its
// Next guards, token verification against a JWKS over the runtime's fetch, and Neon's WebSocket
// driver through a local wsproxy, a Pool per request.
describe('orgkit/next in the edge runtime (runtime = "edge")', () => {
  let t: TestDatabase;
  let proxy: WsProxy;
  let tokens: TestTokenIssuer;
  let route: EdgeRoute;
  const url = 'http://localhost:3000/api/posts';
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    t = await createTestDatabase({ url: DATABASE_URL });
    await seedRuntimeUsers(t);
    const server = new URL(t.url ?? '');
    proxy = await startWsProxy({ allowed: [`${server.hostname}:${server.port || 5432}`] });
    tokens = await createTestTokenIssuer();
    const bundle = await bundleEdgeRoute(join(import.meta.dirname, 'next-edge/route.ts'));
    route = loadEdgeRoute(bundle.code, {
      ORGKIT_EDGE_DATABASE_URL: t.url ?? '',
      ORGKIT_EDGE_PG_OPTIONS: `-c search_path=${t.schema}`,
      ORGKIT_EDGE_WS_PROXY: `127.0.0.1:${proxy.port}`,
      ORGKIT_EDGE_JWKS_URL: tokens.jwksUrl,
      ORGKIT_EDGE_ISSUER: tokens.issuer,
    });
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await tokens?.close();
    await t?.close();
  });

  it('signed out → 401, a bad token → 401, the right role → 200, the wrong role → 403', async () => {
    const acceptedBefore = proxy.accepted;
    const reader = await tokens.mint({ sub: READER });
    const admin = await tokens.mint({ sub: ADMIN });
    expect(await route.call('GET', url)).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthenticated' } },
    });
    expect((await route.call('GET', url, bearer(`${reader}x`))).status).toBe(401);
    expect(await route.call('GET', url, bearer(reader))).toEqual({
      status: 200,
      body: { user: READER, edge: true },
    });
    const behindProxy = {
      headers: { ...bearer(reader).headers, 'x-forwarded-for': '203.0.113.7' },
    };
    expect(await route.call('POST', url, behindProxy)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    // The 403 was recorded from the edge: an audit write through the request's Pool, with the
    // client IP the platform's proxy forwarded.
    const { auditLogs } = createOrgkitTables();
    const denied = await t.db
      .select({ ip: auditLogs.ipAddress, outcome: auditLogs.outcome })
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'access.denied'), eq(auditLogs.actorWorkosUserId, READER)));
    expect(denied).toEqual([{ ip: '203.0.113.7', outcome: 'denied' }]);
    expect(await route.call('POST', url, bearer(admin))).toEqual({
      status: 200,
      body: { written: true },
    });
    expect(await route.call('OPTIONS', url)).toEqual({ status: 200, body: { open: true } });
    // The roles came from PostgreSQL (the tokens carry none) over the runtime's WebSocket.
    expect(proxy.accepted - acceptedBefore).toBeGreaterThanOrEqual(2);
  });

  it('one instance per isolate: the JWKS fetched once for many requests, no connection left open', async () => {
    const reader = await tokens.mint({ sub: READER });
    for (let i = 0; i < 10; i++) {
      expect((await route.call('GET', url, bearer(reader))).status).toBe(200);
    }
    expect(tokens.fetchCount).toBe(1);
    await expect.poll(() => proxy.open).toBe(0);
  });
});
