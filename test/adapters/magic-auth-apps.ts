import express from 'express';
import { Hono } from 'hono';
import { createExpressAuth } from '../../src/adapters/express/index.js';
import { createHonoAuth, type OrgkitEnv } from '../../src/adapters/hono/index.js';
import type { HttpAuthOptions } from '../../src/http/index.js';
import type { TestOrgkit } from './support.js';

// The app's own page for a refused sign-in (orgkit's messages hold no markup; a real app escapes).
const errorPage = (message: string) => `<p role="alert">${message}</p>`;

/**
 * Magic-auth sign-in written as a Hono app writes it: the ready form handler on `/auth/magic`, the
 * lower-level call behind the app's own page on `/guest/sign-in`, and a protected `/api/me`.
 */
export function buildHonoMagicAuthApp(orgkit: TestOrgkit, options: HttpAuthOptions) {
  const auth = createHonoAuth(orgkit, options);
  const app = new Hono<OrgkitEnv<TestOrgkit>>();
  app.onError(auth.onError);
  app.post('/auth/magic', auth.magicAuth());
  app.post('/guest/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const result = await auth.signInWithMagicAuth(c, { ...form, returnTo: '/bookings' });
    if (result.ok) return result.response;
    return c.html(errorPage(result.error.message), result.status);
  });
  app.use(auth.middleware());
  app.get('/api/me', auth.requireAuth(), (c) => c.json({ userId: c.var.session?.userId }));
  return app;
}

/** The same app in Express. */
export function buildExpressMagicAuthApp(orgkit: TestOrgkit, options: HttpAuthOptions) {
  const auth = createExpressAuth(orgkit, options);
  const app = express();
  app.post('/auth/magic', auth.magicAuth());
  app.post('/guest/sign-in', express.urlencoded({ extended: false }), async (req, res) => {
    const result = await auth.signInWithMagicAuth(req, res, { ...req.body, returnTo: '/bookings' });
    if (!result.ok) res.status(result.status).type('html').send(errorPage(result.error.message));
  });
  app.use(auth.express());
  app.get('/api/me', auth.requireAuth(), (req, res) => {
    res.json({ userId: req.auth?.session?.userId });
  });
  app.use(auth.errorHandler());
  return app;
}
