/**
 * `orgkit/next`: Next.js App Router (Next 16). The sign-in session is AuthKit's
 * (`@workos-inc/authkit-nextjs`); orgkit verifies its access token, resolves roles, and guards
 * server components, server actions and route handlers.
 * @module orgkit/next
 */
// The bare name, not `next/navigation.js`: Next's bundlers map only the bare name to the server
// build, and Turbopack fails to build a route handler that imports the `.js` file. The types come
// from next-navigation.d.ts.
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import {
  type AccessOf,
  createHttpAuth,
  errorResponse,
  type HttpAuthOptions,
  handleWebhookRequest,
  type OrgkitCore,
  type RequestAuth,
  type RouteRule,
  toResponse,
} from '../../http/index.js';
import type { Orgkit, Session } from '../../index.js';
import { isOrgkitError, OrgkitError } from '../../index.js';

/** The fields of AuthKit's `withAuth()` result orgkit reads. */
export interface AuthKitSession<User = unknown> {
  user: User | null;
  accessToken?: string | undefined;
}

/** AuthKit's `withAuth` (from `@workos-inc/authkit-nextjs`), or a function of its shape. */
export type AuthKitWithAuth<User = unknown> = (options?: {
  ensureSignedIn?: boolean;
}) => Promise<AuthKitSession<User>>;

/** Options of {@link createNextAuth}. */
export interface NextAuthOptions<User = unknown>
  extends Pick<HttpAuthOptions, 'trustProxy' | 'acceptBearer' | 'signInUrl' | 'onUnexpectedError'> {
  /** AuthKit's `withAuth`: `import { withAuth } from '@workos-inc/authkit-nextjs'`. */
  authkit: AuthKitWithAuth<User>;
  /**
   * Route handlers read (and refresh) the sealed-session cookie themselves, before asking
   * AuthKit: the same cookie format as AuthKit's, refreshed once across instances with
   * `session.refresh.coordinate`, the new cookie sent with the route's answer. Server components
   * (`withAuth`) cannot set cookies and keep reading AuthKit's session. Node.js runtime: the
   * cookie is unsealed and refreshed through `@workos-inc/node`, not tested on the edge runtime.
   */
  session?: HttpAuthOptions['session'];
}

/** What `withAuth` resolves to. */
export interface NextAuthResult<O extends OrgkitCore, User = unknown> {
  session: Session;
  user: User;
  roles: Awaited<ReturnType<O['getUserRoles']>>;
  /**
   * Runs `fn` in orgkit's request scope: the session, and the request's id, client IP (per
   * `trustProxy`) and user agent. orgkit calls inside need no user id, and the audit events they
   * write say where the request came from.
   *
   * @example
   * ```ts
   * const { run } = await auth.withAuth({ requiredPermission: 'meetings:read' })
   * const meetings = await run(() => orgkit.withRls((tx) => tx.select().from(meetings)))
   * ```
   */
  run<T>(fn: () => T): T;
}

type State<User> =
  | { session: Session; user: User; rejection?: undefined }
  | { session?: undefined; user?: undefined; rejection?: OrgkitError | undefined };

// Built only for a refusal or an error: allowed requests parse no URL here.
const deniedRequest = (request: Request) => {
  const url = new URL(request.url);
  return { method: request.method, target: url.pathname + url.search };
};

type RouteHandler<Ctx> = (request: Request, context: Ctx) => Response | Promise<Response>;

// A cookie the session reader set (a refreshed session, or a dead one deleted) goes out with the
// route's answer, whatever the handler returned; a response with immutable headers (one fetched
// from elsewhere) is copied first.
function withCookies(response: Response, cookies: readonly string[]): Response {
  if (cookies.length === 0) return response;
  let out = response;
  try {
    for (const cookie of cookies) out.headers.append('set-cookie', cookie);
  } catch {
    out = new Response(response.body, response);
    for (const cookie of cookies) out.headers.append('set-cookie', cookie);
  }
  return out;
}

/**
 * Binds orgkit to a Next.js app. `withAuth` is for server components and server actions;
 * `handler` and `protect` wrap route handlers and run them in orgkit's request scope.
 *
 * Edge runtime (`export const runtime = 'edge'`): `protect` and `handler` in route handlers run
 * there, on `createOrgkitCore` with a database that works on the edge (Neon's WebSocket
 * `Pool` or `Client`, opened and ended within the request): Bearer-token verification, the
 * guards, roles and `getAccess`, the request scope and client IP, and audit writes (the
 * `access.denied` of a 403). Node.js runtime only (Next's default): `webhook()` (it needs
 * `createOrgkit`'s sync), and of `createOrgkit`'s capabilities guests, audit verification and
 * checkpoints, and the WorkOS sync (they hash with `node:crypto`). Not tested on the edge:
 * `withAuth` in pages and actions, the `session` option (it unseals and refreshes through
 * `@workos-inc/node`), AuthKit's own `withAuth`, and `withRls`.
 *
 * @example
 * ```ts
 * // lib/auth.ts
 * import { withAuth as authkit } from '@workos-inc/authkit-nextjs'
 * export const auth = createNextAuth(orgkit, { authkit })
 * // app/admin/page.tsx
 * const { user, roles } = await auth.withAuth({ requiredRole: 'admin', redirectTo: '/' })
 * // app/api/billing/route.ts
 * export const GET = auth.protect({ requiredPermission: 'billing:manage' }, () => Response.json({ ok: true }))
 * ```
 */
export function createNextAuth<O extends OrgkitCore<any>, User = unknown>(
  orgkit: O,
  options: NextAuthOptions<User>,
) {
  type AC = AccessOf<O>;
  const { authkit, ...httpOptions } = options;
  const http = createHttpAuth(orgkit as OrgkitCore<AC>, httpOptions);

  // One AuthKit read and one verification per request: React's cache() memoises per request in
  // server components (elsewhere it calls through).
  const current = cache(async (): Promise<State<User>> => {
    const info = await authkit();
    if (!info.user || !info.accessToken) return {};
    try {
      return { session: await orgkit.verifyAccessToken(info.accessToken), user: info.user };
    } catch (error) {
      return { rejection: isOrgkitError(error) ? error : undefined };
    }
  });
  // The request's headers in a server component or action, read once per request; none outside
  // one (a script, a test calling withAuth directly).
  const requestHeaders = cache(async () => {
    try {
      return await headers();
    } catch {
      return undefined;
    }
  });
  const scopeOf = cache(async (session: Session): Promise<RequestAuth> => {
    const known = await requestHeaders();
    if (known) return http.scopeFor(known, session);
    return {
      session,
      rejection: undefined,
      scope: {
        requestId: crypto.randomUUID(),
        session,
        ipAddress: undefined,
        userAgent: undefined,
      },
      setCookies: [],
    };
  });
  const rolesOf = cache(async (session: Session) =>
    http.run(await scopeOf(session), () => orgkit.getUserRoles()),
  );

  /** Reads the request: a Bearer token first, else AuthKit's session. */
  async function authenticate(request: Request): Promise<RequestAuth> {
    const auth = await http.authenticate(request.headers, undefined);
    if (auth.session || auth.rejection) return auth;
    const state = await current();
    auth.session = auth.scope.session = state.session;
    auth.rejection = state.rejection;
    return auth;
  }

  function route<Ctx>(rule: RouteRule<AC> | undefined, handler: RouteHandler<Ctx>) {
    const guard = rule && http.guard(rule);
    return async (request: Request, context: Ctx): Promise<Response> => {
      const auth = await authenticate(request);
      const response = await http.run(auth, async () => {
        try {
          await guard?.check(auth);
        } catch (error) {
          // A 403 is recorded (and awaited) before it is sent.
          return toResponse(await guard!.refuse(error, auth, deniedRequest(request)));
        }
        try {
          return await handler(request, context);
        } catch (error) {
          return toResponse(await http.answerError(error, auth, deniedRequest(request)));
        }
      });
      return withCookies(response, auth.setCookies);
    };
  }

  return {
    /**
     * For server components and server actions: signs the user in through AuthKit when needed,
     * checks the rule, and returns `{ session, user, roles }`. Forbidden redirects to
     * `redirectTo`, or throws `OrgkitError('forbidden')` without one.
     */
    async withAuth(rule: RouteRule<AC> = {}): Promise<NextAuthResult<O, User>> {
      const guard = http.guard(rule);
      const state = await current();
      if (!state.session) {
        // AuthKit owns sign-in: this redirects to its sign-in page and back.
        await authkit({ ensureSignedIn: true });
        throw state.rejection ?? new OrgkitError('unauthenticated', 'sign in to see this page');
      }
      const auth = await scopeOf(state.session);
      try {
        await http.run(auth, () => guard.check(auth));
      } catch (error) {
        // A server component has no request at hand: the event names no method or path.
        await http.recordDenial(error, auth.scope, undefined);
        if (rule.redirectTo !== undefined && isOrgkitError(error) && error.code === 'forbidden') {
          redirect(rule.redirectTo);
        }
        throw error;
      }
      const roles = (await rolesOf(state.session)) as NextAuthResult<O, User>['roles'];
      return {
        session: state.session,
        user: state.user,
        roles,
        run: (fn) => http.run(auth, fn),
      };
    },
    /**
     * A route handler run in the request scope; anonymous requests reach it. Runs on the Node.js
     * and the edge runtime.
     */
    handler: <Ctx = unknown>(handler: RouteHandler<Ctx>) => route(undefined, handler),
    /**
     * A route handler behind a rule: 401/403 JSON, or redirects when `redirectTo` is set. Runs on
     * the Node.js and the edge runtime.
     */
    protect: <Ctx = unknown>(rule: RouteRule<AC>, handler: RouteHandler<Ctx>) =>
      route(rule, handler),
    /**
     * `export const POST = auth.webhook()` for WorkOS webhooks. Node.js runtime only: it needs
     * `createOrgkit`'s WorkOS sync.
     */
    webhook: () => (request: Request) => handleWebhookRequest(orgkit as OrgkitCore<AC>, request),
  };
}

/** What {@link createNextAuth} returns. */
export type NextAuth<O extends OrgkitCore = Orgkit> = ReturnType<typeof createNextAuth<O>>;

/** Options of {@link createProxyCheck}. */
export interface ProxyCheckOptions {
  /** Path prefixes that need a signed-in user, e.g. `['/dashboard', '/api/admin']`. */
  protect: readonly string[];
  /** Prefixes answered with 401 JSON rather than a redirect. @default ['/api/'] */
  api?: readonly string[];
  /** @default '/sign-in' */
  signInUrl?: string;
  /** AuthKit's session cookie. @default 'wos-session' */
  cookieName?: string;
}

const startsWithAny = (path: string, prefixes: readonly string[]) =>
  prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));

/**
 * For `proxy.ts` (Next 16's middleware): an optimistic check that turns away requests carrying
 * no session cookie and no Bearer token before any rendering. It verifies nothing: the real check
 * is `withAuth` / `protect`, which must still guard every page and route.
 *
 * @example
 * ```ts
 * // proxy.ts
 * const check = createProxyCheck({ protect: ['/dashboard', '/api/billing'] })
 * export function proxy(request: NextRequest) { return check(request) ?? NextResponse.next() }
 * ```
 */
export function createProxyCheck(options: ProxyCheckOptions) {
  const { protect, api = ['/api/'], signInUrl = '/sign-in', cookieName = 'wos-session' } = options;
  if (!Array.isArray(protect) || protect.some((p) => !p.startsWith('/'))) {
    throw new OrgkitError(
      'invalid_config',
      'createProxyCheck: protect: expected paths like "/admin"',
    );
  }
  const cookie = new RegExp(`(?:^|;\\s*)${cookieName.replace(/[^\w-]/g, '\\$&')}=[^;]`);
  return (request: Request): Response | undefined => {
    const url = new URL(request.url);
    if (!startsWithAny(url.pathname, protect)) return undefined;
    if (/^bearer\s+\S/i.test(request.headers.get('authorization') ?? '')) return undefined;
    if (cookie.test(request.headers.get('cookie') ?? '')) return undefined;
    if (startsWithAny(url.pathname, api)) {
      return errorResponse(
        new OrgkitError('unauthenticated', 'sign in to use this route', { reason: 'no_session' }),
      );
    }
    const location = new URL(signInUrl, url);
    location.searchParams.set('returnTo', url.pathname + url.search);
    // Not `Response.redirect`: see `jsonResponse` on servers with their own global `Response`.
    return new Response(null, { status: 307, headers: { location: location.href } });
  };
}

export type {
  AccessOf,
  HttpAuthOptions,
  OrgkitCore,
  RouteRule,
  TrustProxy,
} from '../../http/index.js';
export type { Orgkit, OrgkitConfig, Session } from '../../index.js';
