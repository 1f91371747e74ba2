// app/api/posts/route.ts of a Next.js app on the edge runtime: orgkit's core and `orgkit/next`'s
// guards, tokens verified against a JWKS, and Neon's WebSocket driver with a Pool per request
// (a WebSocket cannot outlive its request there). test/runtimes/next-edge.runtime.test.ts
// bundles it as Next's edge build does and runs it in `edge-runtime`; the built Next fixture
// (test/adapters/next-app-fixture/app/api/edge) serves it from `next start`.
import { AsyncLocalStorage } from 'node:async_hooks';
import { neonConfig, Pool } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { createOrgkitCore, defineAccessControl } from 'orgkit';
import { createNextAuth } from 'orgkit/next';

export const runtime = 'edge';

// Each variable named in full: Next passes an edge route only the ones its code names.
const env = {
  DATABASE_URL: process.env.ORGKIT_EDGE_DATABASE_URL as string,
  PG_OPTIONS: process.env.ORGKIT_EDGE_PG_OPTIONS as string,
  WS_PROXY: process.env.ORGKIT_EDGE_WS_PROXY as string,
  JWKS_URL: process.env.ORGKIT_EDGE_JWKS_URL as string,
  ISSUER: process.env.ORGKIT_EDGE_ISSUER as string,
};

// The local stand-in for Neon's proxy (test/runtimes/support/ws-proxy.ts), plain ws:// on
// loopback; the edge runtime's own WebSocket carries it.
neonConfig.wsProxy = (host, port) => `${env.WS_PROXY}/v1?address=${host}:${port}`;
neonConfig.useSecureWebSocket = false;
neonConfig.pipelineConnect = false;

const accessControl = defineAccessControl({
  permissions: ['posts:read', 'posts:write'],
  appRoles: {
    user: ['posts:read'],
    editor: ['posts:read', 'posts:write'],
    admin: ['posts:read', 'posts:write'],
  },
  orgRoles: { member: ['posts:read'] },
});

// This request's Pool: opened by the wrapper below, ended when its answer is ready.
const requestPool = new AsyncLocalStorage<Pool>();

// One instance per isolate (its JWKS, token and role caches live across requests), made on the
// first request (`next build` loads the module without the variables); the database is the
// request's own.
function build() {
  const orgkit = createOrgkitCore({
    accessControl,
    session: { jwksUrl: env.JWKS_URL, issuers: [env.ISSUER] },
    database: () => {
      const pool = requestPool.getStore();
      if (!pool) throw new Error('no request pool');
      return drizzle({ client: pool });
    },
  });
  // AuthKit's `withAuth` is left out: Bearer tokens only. One proxy (Vercel's) sets
  // X-Forwarded-For.
  const auth = createNextAuth(orgkit, { authkit: async () => ({ user: null }), trustProxy: 1 });
  return {
    GET: auth.protect({ requiredPermission: 'posts:read' }, async () => {
      const access = await orgkit.getAccess();
      // `EdgeRuntime` is a global of the edge runtime only, never of Node.
      const edge = typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string';
      return Response.json({ user: access.userId, edge });
    }),
    POST: auth.protect({ requiredPermission: 'posts:write' }, () =>
      Response.json({ written: true }),
    ),
    OPTIONS: auth.handler(() => Response.json({ open: true })),
  };
}

let handlers: ReturnType<typeof build> | undefined;

function perRequestPool(method: keyof ReturnType<typeof build>) {
  return async (request: Request, context: unknown) => {
    handlers ??= build();
    const pool = new Pool({ connectionString: env.DATABASE_URL, options: env.PG_OPTIONS });
    try {
      return await requestPool.run(pool, () => handlers![method](request, context));
    } finally {
      await pool.end();
    }
  };
}

export const GET = perRequestPool('GET');
export const POST = perRequestPool('POST');
export const OPTIONS = perRequestPool('OPTIONS');
