import { NextRequest } from 'next/server.js';
import { type AuthKitWithAuth, createNextAuth } from '../../src/adapters/next/index.js';
import type { AdapterHarness, HarnessOptions } from './contract.js';
import { recordMeetingViewed, type TestOrgkit, whoAmI } from './support.js';

type Params = Record<string, string>;
type Handler = (request: NextRequest, context: { params: Promise<Params> }) => Promise<Response>;

// app/api/meetings/[id]/route.ts: the one dynamic segment the contract needs.
const MEETING_ROUTE = /^\/api\/meetings\/([^/]+)$/;

/**
 * The contract's routes (see contract.ts) as App Router route handlers, dispatched the way Next
 * calls them: a `NextRequest` and a context with `params`.
 */
export function buildNextApp(
  orgkit: TestOrgkit,
  options: Partial<HarnessOptions> & { authkit?: AuthKitWithAuth } = {},
): AdapterHarness {
  const { authkit = async () => ({ user: null }), ...rest } = options;
  const auth = createNextAuth(orgkit, { ...rest, authkit });
  const ok = () => Response.json({ ok: true });
  const routes: Record<string, Record<string, Handler>> = {
    '/public': {
      GET: auth.handler(() =>
        Response.json({ userId: orgkit.getRequestScope()?.session?.userId ?? null }),
      ),
    },
    '/api/me': {
      GET: auth.protect({}, async (request) =>
        Response.json({
          userId: orgkit.getRequestScope()?.session?.userId,
          ...(await whoAmI(orgkit, Number(new URL(request.url).searchParams.get('delay') ?? 1))),
        }),
      ),
    },
    '/api/roles': {
      GET: auth.protect({}, async () => Response.json({ roles: await orgkit.getUserRoles() })),
    },
    '/api/admin': { GET: auth.protect({ requiredRole: 'admin' }, ok) },
    '/api/staff': { GET: auth.protect({ anyRole: ['editor', 'admin'] }, ok) },
    '/api/billing': { GET: auth.protect({ requiredPermission: 'billing:manage' }, ok) },
    '/api/publish': {
      GET: auth.protect({ requiredRole: 'editor', requiredPermission: 'posts:write' }, ok),
    },
    '/admin': {
      GET: auth.protect(
        { requiredRole: 'admin', redirectTo: '/forbidden' },
        () => new Response('<h1>admin</h1>', { headers: { 'content-type': 'text/html' } }),
      ),
    },
    '/api/meetings/[id]': {
      GET: auth.protect({}, async (request, { params }: { params: Promise<Params> }) =>
        Response.json(
          await recordMeetingViewed(
            orgkit,
            (await params).id ?? '',
            Number(new URL(request.url).searchParams.get('delay') ?? 0),
          ),
        ),
      ),
    },
    '/api/audit-log': {
      GET: auth.protect({}, async () => Response.json(await orgkit.queryAuditEvents())),
    },
    '/api/implicit': {
      GET: auth.handler(() => Response.json({ userId: orgkit.requireAuth().userId })),
    },
    '/api/crash': {
      GET: auth.handler(() => {
        throw new Error('connection to postgres://app:hunter2@db failed');
      }),
    },
    '/webhooks/workos': { POST: auth.webhook() },
  };
  return {
    async request(path, init) {
      const request = new NextRequest(new URL(path, 'http://localhost:3000'), init as never);
      const meeting = MEETING_ROUTE.exec(request.nextUrl.pathname);
      const pattern = meeting ? '/api/meetings/[id]' : request.nextUrl.pathname;
      const params: Params = meeting ? { id: decodeURIComponent(meeting[1]!) } : {};
      const handler = routes[pattern]?.[request.method];
      if (!handler) return new Response(null, { status: 404 });
      return handler(request, { params: Promise.resolve(params) });
    },
    close: async () => {},
  };
}
