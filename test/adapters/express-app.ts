import express from 'express';
import { createExpressAuth } from '../../src/adapters/express/index.js';
import type { HttpAuthOptions } from '../../src/http/index.js';
import { type ServedApp, serveNode } from './servers.js';
import { recordMeetingViewed, type TestOrgkit, whoAmI } from './support.js';

/** The contract's routes (see contract.ts), written as an Express app would write them. */
export function buildExpressApp(orgkit: TestOrgkit, options: HttpAuthOptions = {}) {
  const auth = createExpressAuth(orgkit, options);
  const app = express();
  app.post('/webhooks/workos', auth.webhook());
  app.get('/auth/sign-in', auth.signIn());
  app.get('/auth/callback', auth.callback());
  app.post('/auth/sign-out', auth.signOut());
  app.use(express.json());
  app.use(auth.express());

  app.get('/public', (req, res) => {
    res.json({ userId: req.auth?.session?.userId ?? null });
  });
  app.get('/api/me', auth.requireAuth(), async (req, res) => {
    res.json({
      userId: req.auth?.session?.userId,
      ...(await whoAmI(orgkit, Number(req.query.delay ?? 1))),
    });
  });
  app.get('/api/roles', auth.requireAuth(), async (_req, res) => {
    res.json({ roles: await orgkit.getUserRoles() });
  });
  app.get('/api/admin', auth.requireRole('admin'), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/api/staff', auth.requireRole(['editor', 'admin']), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/api/billing', auth.requirePermission('billing:manage'), (_req, res) => {
    res.json({ ok: true });
  });
  app.get(
    '/api/publish',
    auth.protect({ requiredRole: 'editor', requiredPermission: 'posts:write' }),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  app.get('/admin', auth.requireRole('admin', { redirectTo: '/forbidden' }), (_req, res) => {
    res.send('<h1>admin</h1>');
  });
  app.get('/api/meetings/:id', auth.requireAuth(), async (req, res) => {
    res.json(
      await recordMeetingViewed(orgkit, String(req.params.id), Number(req.query.delay ?? 0)),
    );
  });
  // State-changing: what the cross-site (CSRF) check must keep other sites from reaching.
  app.post('/api/meetings/:id', auth.requireAuth(), async (req, res) => {
    res.json(await recordMeetingViewed(orgkit, String(req.params.id)));
  });
  app.get('/api/audit-log', auth.requireAuth(), async (_req, res) => {
    res.json(await orgkit.queryAuditEvents());
  });
  app.get('/api/implicit', (_req, res) => {
    res.json({ userId: orgkit.requireAuth().userId });
  });
  app.get('/api/crash', async () => {
    throw new Error('connection to postgres://app:hunter2@db failed');
  });
  app.use(auth.errorHandler());
  return { app, auth };
}

/** Serves `app` on an ephemeral port. */
export function listen(app: express.Express): Promise<ServedApp> {
  return serveNode(() => app);
}
