// The reference Worker: Hono + orgkit's core (middleware, a guard, getAccess, an audit write) +
// drizzle + postgres.js, a connection per request. Guests, audit forwarding and migration unused:
// `createOrgkitCore` leaves them out of the bundle.
import { drizzle } from 'drizzle-orm/postgres-js';
import { Hono } from 'hono';
import { getConnInfo } from 'hono/cloudflare-workers';
import { createOrgkitCore, defineAccessControl } from 'orgkit';
import { createHonoAuth } from 'orgkit/hono';
import postgres from 'postgres';

type Env = { DATABASE_URL: string; WORKOS_CLIENT_ID: string };

const accessControl = defineAccessControl({
  permissions: ['posts:read', 'posts:write'],
  appRoles: { user: ['posts:read'], admin: ['posts:read', 'posts:write'] },
  orgRoles: { member: ['posts:read'] },
});

let app: Hono<{ Bindings: Env }> | undefined;

function build(env: Env) {
  const orgkit = createOrgkitCore({ accessControl, clientId: env.WORKOS_CLIENT_ID });
  const auth = createHonoAuth(orgkit, {
    getConnInfo,
    database: (c) => drizzle({ client: postgres((c.env as Env).DATABASE_URL, { max: 1 }) }),
  });
  const hono = new Hono<{ Bindings: Env }>();
  hono.use(auth.middleware());
  hono.get('/posts', auth.requirePermission('posts:read'), async (c) => {
    const access = await orgkit.getAccess();
    await orgkit.logAuditEvent('post.listed', 'post', 'all');
    return c.json({ user: access.userId });
  });
  return hono;
}

export default {
  fetch(request: Request, env: Env, ctx: never) {
    app ??= build(env);
    return app.fetch(request, env, ctx);
  },
};
