import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressAuth } from '../../src/adapters/express/index.js';
import { OrgkitError } from '../../src/errors/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { openTestDatabase } from '../support/databases.js';
import { JOB } from '../support/sessions.js';
import { describeAdapterContract } from './contract.js';
import { buildExpressApp, listen } from './express-app.js';
import { membershipCreated, orgkitFor, signedWebhook } from './support.js';

describeAdapterContract('express over HTTP', async (orgkit, options) =>
  listen(buildExpressApp(orgkit, options).app),
);

describe('express adapter specifics', () => {
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

  it('guards work without express(): the guard opens the request scope and sets req.auth', async () => {
    const orgkit = orgkitFor(database, tokens);
    const auth = createExpressAuth(orgkit);
    const app = express();
    app.get('/me', auth.requireAuth(), async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      res.json({ userId: orgkit.requireAuth().userId, viaReq: req.auth?.session?.userId });
    });
    app.get('/admin', auth.requireRole('admin'), (req, res) => {
      res.json({ userId: orgkit.requireAuth().userId, viaReq: req.auth?.session?.userId });
    });
    app.use(auth.errorHandler());
    const server = await listen(app);
    const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    try {
      const token = await tokens.mint({ sub: 'user_standalone' });
      // The first request verifies the token and loads the roles; the second is answered from
      // the caches in the same tick. Both must see the same scope.
      for (let i = 0; i < 2; i++) {
        const res = await server.request('/me', as(token));
        expect(await res.json()).toEqual({ userId: 'user_standalone', viaReq: 'user_standalone' });
      }
      expect((await server.request('/me')).status).toBe(401);

      const statuses = async () => {
        const codes: number[] = [];
        for (let i = 0; i < 2; i++) codes.push((await server.request('/admin', as(token))).status);
        return codes;
      };
      expect(await statuses()).toEqual([403, 403]);
      await orgkit.database
        .insert(orgkit.tables.users)
        .values({ workosUserId: 'user_standalone', email: 'standalone@example.com', role: 'user' });
      await orgkit.setUserRole('user_standalone', 'admin', JOB);
      expect(await statuses()).toEqual([200, 200]);
      expect(await (await server.request('/admin', as(token))).json()).toEqual({
        userId: 'user_standalone',
        viaReq: 'user_standalone',
      });
    } finally {
      await server.close();
    }
  });

  it("errorHandler({ render }) answers with the app's own page, yet records the refusal and sets its headers", async () => {
    const orgkit = orgkitFor(database, tokens);
    const auth = createExpressAuth(orgkit);
    const app = express();
    app.use(auth.express());
    // Thrown inside a handler, not refused by a guard: the error handler alone sees it.
    app.get('/reports', (_req, res) => {
      if (!orgkit.requireAuth().roles.includes('admin')) {
        throw new OrgkitError('forbidden', 'reports are for admins', { reason: 'missing_role' });
      }
      res.send('reports');
    });
    app.get('/busy', () => {
      throw new OrgkitError('rate_limited', 'slow down', { details: { retryAfterSeconds: 7 } });
    });
    app.get('/broken', () => {
      throw new Error('connection string postgres://secret@db');
    });
    app.use(
      auth.errorHandler({
        render: ({ status, error }, _req, res) => {
          res.type('html').send(`<h1>${status}</h1><p>${error.code}: ${error.message}</p>`);
        },
      }),
    );
    const server = await listen(app);
    try {
      const token = await tokens.mint({ sub: 'user_render', org_id: 'org_render' });
      const denied = await server.request('/reports', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('content-type')).toMatch(/text\/html/);
      expect(await denied.text()).toBe('<h1>403</h1><p>forbidden: reports are for admins</p>');
      const busy = await server.request('/busy');
      expect([busy.status, busy.headers.get('retry-after')]).toEqual([429, '7']);
      const broken = await server.request('/broken');
      expect(broken.status).toBe(500);
      expect(await broken.text()).toBe('<h1>500</h1><p>internal: internal server error</p>');
      const events = await orgkit.queryAuditEvents({ organizationId: 'org_render' } as never);
      expect(events.events.map((e) => [e.action, e.actor])).toEqual([
        ['access.denied', { userId: 'user_render' }],
      ]);
    } finally {
      await server.close();
    }
  });

  it('says how to fix a webhook route placed behind express.json()', async () => {
    const orgkit = orgkitFor(database, tokens);
    const auth = createExpressAuth(orgkit);
    const app = express();
    app.use(express.json());
    app.post('/webhooks/workos', auth.webhook());
    app.use(auth.errorHandler());
    const server = await listen(app);
    try {
      const { body, header } = await signedWebhook(membershipCreated('user_x', 'org_x', 'member'));
      const res = await server.request('/webhooks/workos', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'workos-signature': header },
        body,
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({
        error: { code: 'invalid_config', message: expect.stringContaining('express.raw') },
      });
    } finally {
      await server.close();
    }
  });

  it('takes the raw body from express.raw() as well', async () => {
    const orgkit = orgkitFor(database, tokens);
    const auth = createExpressAuth(orgkit);
    const app = express();
    app.post('/webhooks/workos', express.raw({ type: 'application/json' }), auth.webhook());
    const server = await listen(app);
    try {
      const { body, header } = await signedWebhook(membershipCreated('user_y', 'org_y', 'member'));
      const res = await server.request('/webhooks/workos', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'workos-signature': header },
        body,
      });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
