/**
 * One Hono app with orgkit's middleware and guards, run unchanged on Node, Bun, Deno and workerd
 * (test/runtimes/*). It imports the built package, as a deployed app does, and gives each request
 * its own postgres.js connection (a Worker cannot share one across requests) while one orgkit
 * instance, with its JWKS, token and role caches, serves them all.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { Hono } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { createMiddleware } from 'hono/factory';
import postgres from 'postgres';
import { createHonoAuth, type OrgkitEnv } from '../../../dist/hono.js';
import {
  createOrgkit,
  createOrgkitCore,
  defineAccessControl,
  type OrgkitDatabase,
} from '../../../dist/index.js';

export const runtimeAccessControl = defineAccessControl({
  permissions: ['posts:read', 'posts:write', 'audit:read', 'users:manage'],
  appRoles: {
    user: ['posts:read', 'audit:read'],
    admin: ['posts:read', 'posts:write', 'audit:read', 'users:manage'],
  },
  orgRoles: { member: ['posts:read'] },
});

export interface RuntimeAppConfig {
  /** A Postgres URL and the schema holding orgkit's tables (for the default postgres.js client). */
  databaseUrl?: string;
  schema?: string;
  jwksUrl: string;
  issuer: string;
  /** The runtime's Hono `getConnInfo` (`hono/bun`, `hono/deno`, `hono/cloudflare-workers`). */
  getConnInfo?: GetConnInfo | undefined;
  /** Opens one request's database. @default a postgres.js client of its own */
  openDatabase?: (() => { db: OrgkitDatabase; close(): Promise<void> }) | undefined;
  /** Hands a promise to the platform to finish after the response (Workers' `waitUntil`). */
  afterResponse?: ((c: { executionCtx?: unknown }, work: Promise<unknown>) => void) | undefined;
  /**
   * Build the instance with `createOrgkitCore` (what a size-conscious Worker does): no preferences
   * route, and the audit route reports no chain (the test verifies it from outside).
   */
  core?: boolean | undefined;
}

type Variables = OrgkitEnv['Variables'] & { db: OrgkitDatabase };

function openPostgresJs(url: string, schema: string) {
  const client = postgres(url, { max: 1, connection: { search_path: schema }, onnotice: () => {} });
  return { db: drizzle({ client }), close: () => client.end({ timeout: 5 }) };
}

export function createRuntimeApp(config: RuntimeAppConfig) {
  // No database here: each request brings its own (see the middleware below).
  const options = {
    accessControl: runtimeAccessControl,
    session: {
      jwksUrl: config.jwksUrl,
      issuers: [config.issuer],
      verifiedTokenCache: { max: 1_000 as number },
    },
  };
  const full = config.core ? undefined : createOrgkit(options);
  const orgkit = full ?? createOrgkitCore(options);
  const auth = createHonoAuth(orgkit, {
    database: (c) => c.get('db'),
    getConnInfo: config.getConnInfo,
  });
  let connections = 0;
  const app = new Hono<{ Variables: Variables }>();
  app.onError(auth.onError);
  app.get('/health', (c) => c.json({ ok: true }));
  // Opened lazily by postgres.js (only a request that queries connects), closed after the response.
  const connectionPerRequest = createMiddleware<{ Variables: Variables }>(async (c, next) => {
    const { db, close } =
      config.openDatabase?.() ??
      openPostgresJs(config.databaseUrl ?? '', config.schema ?? 'public');
    connections++;
    c.set('db', db);
    try {
      await next();
    } finally {
      const closing = close();
      if (config.afterResponse) config.afterResponse(c, closing);
      else await closing;
    }
  });
  // `/plain/*`: the same connection per request, no orgkit (the benchmark's unguarded peer).
  app.use('/plain/*', connectionPerRequest);
  app.get('/plain/open', (c) => c.json({ ok: true }));
  app.use('/api/*', connectionPerRequest);
  app.use('/api/*', auth.middleware());
  app.get('/api/open', (c) => c.json({ ok: true }));
  app.get('/api/guarded', auth.requirePermission('posts:read'), (c) => c.json({ ok: true }));
  app.get('/api/write', auth.requirePermission('posts:write'), (c) => c.json({ ok: true }));
  app.get('/api/access', auth.requireAuth(), async (c) => {
    const access = await orgkit.getAccess();
    return c.json({
      userId: access.userId,
      roles: [...access.roles].map(String).sort(),
      canWrite: access.hasPermission('posts:write'),
      ipAddress: orgkit.getRequestScope()?.ipAddress ?? null,
    });
  });
  if (full) {
    app.put('/api/preferences', auth.requireAuth(), async (c) => {
      const body = (await c.req.json()) as { theme: 'light' | 'dark' | 'system' };
      await full.updateUserPreferences(undefined, { theme: body.theme });
      return c.json(await full.getUserPreferences());
    });
  }
  app.post('/api/audit/:id', auth.requireAuth(), async (c) => {
    const event = await orgkit.logAuditEvent('post.viewed', 'post', c.req.param('id'));
    const report = await full?.verifyAuditChain();
    return c.json({
      eventId: event.id,
      chainValid: report ? report.valid : null,
    });
  });
  app.get('/api/rls', auth.requireAuth(), async (c) => {
    const [row] = await orgkit.withRls(async (tx) => {
      const result = await tx.execute(
        sql`select current_user as "role", current_setting('request.jwt.claims', true)::json ->> 'sub' as "sub"`,
      );
      // postgres.js answers rows; node-postgres and PGlite a result with `rows`.
      type Row = { role: string; sub: string };
      return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
    });
    return c.json(row ?? null);
  });
  app.get('/connections', (c) => c.json({ connections }));
  return { app, orgkit };
}
