import { Hono } from 'hono';
import {
  createHonoAuth,
  type HonoAuthOptions,
  type OrgkitEnv,
} from '../../src/adapters/hono/index.js';
import { recordMeetingViewed, type TestOrgkit, whoAmI } from './support.js';

/** The contract's routes (see contract.ts), written as a Hono app would write them. */
export function buildHonoApp(orgkit: TestOrgkit, options: HonoAuthOptions = {}) {
  const auth = createHonoAuth(orgkit, options);
  const app = new Hono<OrgkitEnv<TestOrgkit>>();
  app.onError(auth.onError);
  app.post('/webhooks/workos', auth.webhook());
  app.get('/auth/sign-in', auth.signIn());
  app.get('/auth/callback', auth.callback());
  app.post('/auth/sign-out', auth.signOut());
  app.use(auth.middleware());

  app.get('/public', (c) => c.json({ userId: c.var.session?.userId ?? null }));
  app.get('/api/me', auth.requireAuth(), async (c) =>
    c.json({
      userId: c.var.session?.userId,
      ...(await whoAmI(c.var.orgkit, Number(c.req.query('delay') ?? 1))),
    }),
  );
  app.get('/api/roles', auth.requireAuth(), async (c) =>
    c.json({ roles: await c.var.orgkit.getUserRoles() }),
  );
  app.get('/api/admin', auth.requireRole('admin'), (c) => c.json({ ok: true }));
  app.get('/api/staff', auth.requireRole(['editor', 'admin']), (c) => c.json({ ok: true }));
  app.get('/api/billing', auth.requirePermission('billing:manage'), (c) => c.json({ ok: true }));
  app.get(
    '/api/publish',
    auth.protect({ requiredRole: 'editor', requiredPermission: 'posts:write' }),
    (c) => c.json({ ok: true }),
  );
  app.get('/admin', auth.requireRole('admin', { redirectTo: '/forbidden' }), (c) =>
    c.html('<h1>admin</h1>'),
  );
  app.get('/api/meetings/:id', auth.requireAuth(), async (c) =>
    c.json(
      await recordMeetingViewed(c.var.orgkit, c.req.param('id'), Number(c.req.query('delay') ?? 0)),
    ),
  );
  // State-changing: what the cross-site (CSRF) check must keep other sites from reaching.
  app.post('/api/meetings/:id', auth.requireAuth(), async (c) =>
    c.json(await recordMeetingViewed(c.var.orgkit, c.req.param('id'))),
  );
  app.get('/api/audit-log', auth.requireAuth(), async (c) =>
    c.json(await c.var.orgkit.queryAuditEvents()),
  );
  app.get('/api/implicit', (c) => c.json({ userId: orgkit.requireAuth().userId }));
  app.get('/api/crash', () => {
    throw new Error('connection to postgres://app:hunter2@db failed');
  });
  return { app, auth };
}
