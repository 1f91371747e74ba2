/**
 * `orgkit/hono`: Hono middleware. Every request runs in orgkit's request scope; route guards
 * answer 401/403 JSON (or redirect, for page routes).
 * @module orgkit/hono
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Context, ErrorHandler, Handler, MiddlewareHandler } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import {
  type AccessOf,
  createHttpAuth,
  createRouteGuards,
  errorResponse,
  type HeadersLike,
  type HttpAuthOptions,
  type HttpReply,
  type MagicAuthInput,
  type MagicAuthResult,
  NodeHeaders,
  type OrgkitCore,
  type RequestAuth,
  type RouteGuard,
  readFormFields,
  type SwitchOrganizationInput,
  type SwitchOrganizationResult,
} from '../../http/index.js';
import type { Orgkit, OrgkitDatabase, Session } from '../../index.js';

/** The variables orgkit sets on `c.var`. */
export interface OrgkitVariables<O extends OrgkitCore = Orgkit> {
  /** The verified session, or `undefined` when the request carries none. */
  session: Session | undefined;
  /** The orgkit instance the adapter was made with. */
  orgkit: O;
  requestId: string;
}

/** The Hono `Env` of routes behind orgkit's middleware. */
export type OrgkitEnv<O extends OrgkitCore = Orgkit> = {
  Variables: OrgkitVariables<O>;
};

/** Options of {@link createHonoAuth}. */
export interface HonoAuthOptions extends HttpAuthOptions {
  /**
   * Your runtime's Hono `getConnInfo` (`hono/bun`, `hono/deno`, `hono/cloudflare-workers`,
   * `@hono/node-server/conninfo`, …): its `remote.address` is the peer the `trustProxy` rule
   * starts from. On Workers that helper answers Cloudflare's `cf-connecting-ip`.
   * @default the @hono/node-server socket's address
   */
  getConnInfo?: GetConnInfo | undefined;
  /** The TCP peer address; overrides `getConnInfo`. @default `c.env.incoming.socket.remoteAddress` (@hono/node-server) */
  getRemoteAddress?: ((c: Context) => string | undefined) | undefined;
  /**
   * This request's database, for runtimes where a connection cannot serve two requests
   * (Workers: a client per request, e.g. over Hyperdrive). orgkit's calls in the request use it;
   * the instance and its caches stay. @default the instance's `database`
   *
   * @example
   * ```ts
   * createHonoAuth(orgkit, { database: (c) => drizzle(postgres(c.env.HYPERDRIVE.connectionString)) })
   * ```
   */
  database?: ((c: Context) => OrgkitDatabase) | undefined;
}

/** How {@link HonoAuth.switchOrganization} ended; on success the new cookie is set on `c`. */
export type HonoSwitchOrganizationResult =
  | Omit<Extract<SwitchOrganizationResult, { ok: true }>, 'setCookie'>
  | Omit<Extract<SwitchOrganizationResult, { ok: false }>, 'setCookie'>;

type Middleware<O extends OrgkitCore> = MiddlewareHandler<OrgkitEnv<O>>;

type NodeBindings = {
  incoming?: { headers?: IncomingHttpHeaders; socket?: { remoteAddress?: string } };
};

// On @hono/node-server the Node request is at hand: reading its parsed headers skips building
// Web `Headers` for every request.
const headersOf = (c: Context): HeadersLike => {
  const headers = (c.env as NodeBindings | undefined)?.incoming?.headers;
  return headers ? new NodeHeaders(headers) : c.req.raw.headers;
};

const nodeRemoteAddress = (c: Context): string | undefined =>
  (c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress;

// A helper that cannot tell (a Node request under another runtime's helper) means no address,
// not a failed request.
const connInfoAddress =
  (getConnInfo: GetConnInfo) =>
  (c: Context): string | undefined => {
    try {
      return getConnInfo(c).remote.address;
    } catch {
      return undefined;
    }
  };

const deniedRequest = (c: Context) => {
  const url = new URL(c.req.url);
  return { method: c.req.method, target: url.pathname + url.search };
};

// The form's fields; a body an earlier middleware already read comes from Hono's cache.
async function formOf(c: Context): Promise<Record<string, unknown>> {
  if (c.req.raw.bodyUsed) return c.req.parseBody();
  return readFormFields(c.req.raw.body, c.req.header('content-type'));
}

function send(c: Context, reply: HttpReply): Response {
  for (const [name, value] of Object.entries(reply.headers)) c.header(name, value);
  return reply.body ? c.json(reply.body, reply.status as 401) : c.body(null, reply.status as 302);
}

/**
 * Binds orgkit to Hono: `middleware()` for every route, guards per route, and the sign-in and
 * webhook handlers.
 *
 * @example
 * ```ts
 * const auth = createHonoAuth(orgkit, { trustProxy: 1 })
 * const app = new Hono<OrgkitEnv<typeof orgkit>>()
 * app.use(auth.middleware())
 * app.onError(auth.onError)
 * app.get('/api/billing', auth.requirePermission('billing:manage'), (c) => c.json(c.var.session))
 * ```
 */
export function createHonoAuth<O extends OrgkitCore<any>>(
  orgkit: O,
  options: HonoAuthOptions = {},
) {
  type AC = AccessOf<O>;
  const { getConnInfo, getRemoteAddress: remoteAddressOf, database, ...httpOptions } = options;
  const getRemoteAddress =
    remoteAddressOf ?? (getConnInfo ? connInfoAddress(getConnInfo) : nodeRemoteAddress);
  const http = createHttpAuth(orgkit as OrgkitCore<AC>, httpOptions);
  // The requests inside this instance's scope, so a later guard on the route reuses their auth.
  // An entry lives while its request is inside `enter` (the rest of the chain runs within it). A
  // Map rather than a WeakMap: a WeakMap entry per request costs the garbage collector more than
  // the rest of the look-up.
  const inScope = new Map<Context, RequestAuth>();

  /**
   * Runs `then` in the request's scope. A Bearer token verified before is taken from the cache
   * without waiting on a promise; any other request waits for verification.
   */
  function enter<T>(c: Context, then: (auth: RequestAuth) => Promise<T>): Promise<T | Response> {
    const headers = headersOf(c);
    const remoteAddress = getRemoteAddress(c);
    // Verification reads the user's revocation marks: in the request's database when it has one.
    const known = withRequestDatabase(c, () => http.authenticateNow(headers, remoteAddress));
    if (known) return runInScope(c, withDatabase(c, known), then);
    return withRequestDatabase(c, () =>
      http.authenticate(headers, remoteAddress, c.req.method),
    ).then((found): Promise<T | Response> => {
      const auth = withDatabase(c, found);
      return auth.refusal ? refuseAtEntry(c, auth) : runInScope(c, auth, then);
    });
  }

  // One database per request, however often it is asked for: `database(c)` may open a connection.
  const opened = new WeakMap<Context, OrgkitDatabase>();
  const databaseOf = (c: Context, open: (c: Context) => OrgkitDatabase): OrgkitDatabase => {
    let db = opened.get(c);
    if (!db) {
      db = open(c);
      opened.set(c, db);
    }
    return db;
  };

  // The request's own database rides in its scope (also for the denial a refusal records).
  const withDatabase = (c: Context, auth: RequestAuth): RequestAuth =>
    database ? { ...auth, scope: { ...auth.scope, database: databaseOf(c, database) } } : auth;

  // Handlers mounted without `middleware()` (webhooks, sign-in routes), and the verification
  // before the scope opens, get the request's database in a scope of their own.
  const withRequestDatabase = <T>(c: Context, fn: () => T): T =>
    database && !orgkit.getRequestScope()?.database
      ? orgkit.runWithRequestScope({ database: databaseOf(c, database) }, fn)
      : fn();

  // A cross-site request carrying the session cookie: answered here, no handler runs.
  async function refuseAtEntry(c: Context, auth: RequestAuth): Promise<Response> {
    for (const cookie of auth.setCookies) c.header('set-cookie', cookie, { append: true });
    return send(c, await http.answerError(auth.refusal, auth, deniedRequest(c)));
  }

  async function runInScope<T>(
    c: Context,
    auth: RequestAuth,
    then: (auth: RequestAuth) => Promise<T>,
  ): Promise<T> {
    inScope.set(c, auth);
    try {
      c.set('session', auth.session);
      c.set('orgkit', orgkit);
      c.set('requestId', auth.scope.requestId);
      // Set before the handler runs, so they ride on the response it builds; setting them on a
      // finished response would make Hono copy it into a slower streamed one.
      for (const cookie of auth.setCookies) c.header('set-cookie', cookie, { append: true });
      const result = await http.run(auth, () => then(auth));
      // A handler that returned a `new Response(...)` of its own dropped them: a refreshed
      // session cookie must still reach the browser.
      if (auth.setCookies.length > 0) {
        const sent = c.res.headers.getSetCookie();
        for (const cookie of auth.setCookies) {
          if (!sent.includes(cookie)) c.header('set-cookie', cookie, { append: true });
        }
      }
      return result;
    } finally {
      inScope.delete(c);
    }
  }

  function guarded(guard: RouteGuard): Middleware<O> {
    // A 403 is recorded (and awaited) before it is sent; allowed requests never come here.
    const refuse = (c: Context, auth: RequestAuth, error: unknown) =>
      guard.refuse(error, auth, deniedRequest(c)).then((reply) => send(c, reply));
    // Answered in the same tick when the roles are cached; otherwise after they are loaded.
    const checkThenNext = (
      c: Context,
      auth: RequestAuth,
      next: () => Promise<void>,
    ): ReturnType<Middleware<O>> => {
      const verdict = guard.checkNow(auth);
      if (verdict === true) return next();
      if (verdict) return refuse(c, auth, verdict);
      return guard.check(auth).then(next, (error: unknown) => refuse(c, auth, error));
    };
    return createMiddleware<OrgkitEnv<O>>((c, next) => {
      const auth = inScope.get(c);
      // Usable without `middleware()`: the guard then opens the scope itself.
      return auth ? checkThenNext(c, auth, next) : enter(c, (a) => checkThenNext(c, a, next));
    });
  }

  const routeRequest = (c: Context) => ({
    method: c.req.method,
    url: new URL(c.req.url),
    headers: c.req.raw.headers,
    remoteAddress: getRemoteAddress(c),
  });

  return {
    /** Reads the session (optional: anonymous requests pass) and runs the rest in its scope. */
    middleware: (): Middleware<O> =>
      createMiddleware<OrgkitEnv<O>>(async (c, next) => {
        const refused = await enter(c, () => next());
        // `next()` resolves to nothing; anything else is the refusal answered at entry.
        if (refused) return refused;
      }),
    ...createRouteGuards(http, guarded),
    /** `app.onError(auth.onError)`: orgkit errors as `{ error: { code, message } }`, others as a bare 500. */
    onError: ((error, c) => {
      if (error instanceof HTTPException) return error.getResponse();
      return http
        .answerError(error, inScope.get(c), deniedRequest(c))
        .then((reply) => send(c, reply));
    }) satisfies ErrorHandler,
    /** `POST` handler for WorkOS webhooks; reads the raw body itself. */
    webhook: (): Handler => async (c) => {
      const body = await c.req.text();
      return withRequestDatabase(c, () => http.webhook(body, c.req.header('workos-signature')));
    },
    signIn: (): Handler => (c) => withRequestDatabase(c, () => http.signIn(routeRequest(c))),
    callback: (): Handler => (c) => withRequestDatabase(c, () => http.callback(routeRequest(c))),
    signOut: (): Handler => (c) => withRequestDatabase(c, () => http.signOut(routeRequest(c))),
    /**
     * `POST` handler for a magic-auth sign-in form (fields `email`, `code`, optional `returnTo`):
     * a 302 setting the session cookie, or the usual JSON error (401 reason `invalid_code` for a
     * wrong or expired code). To show the error on your own page, use `signInWithMagicAuth`.
     */
    magicAuth: (): Handler => async (c) => {
      let form: Record<string, unknown>;
      try {
        form = await formOf(c);
      } catch (error) {
        return errorResponse(error);
      }
      const { email, code, returnTo } = form;
      const input = { email, code, returnTo };
      return (await withRequestDatabase(c, () => http.signInWithMagicAuth(routeRequest(c), input)))
        .response;
    },
    /**
     * Signs in with an email and magic-auth code your own form collected. Never rejects for a
     * wrong code or bad input: on failure render `error.message` on your page.
     *
     * @example
     * ```ts
     * app.post('/guest/sign-in', async (c) => {
     *   const form = await c.req.parseBody()
     *   const result = await auth.signInWithMagicAuth(c, { ...form, returnTo: '/bookings' })
     *   if (result.ok) return result.response
     *   return c.html(signInPage({ error: result.error.message }), result.status)
     * })
     * ```
     */
    signInWithMagicAuth: (c: Context, input: MagicAuthInput): Promise<MagicAuthResult> =>
      withRequestDatabase(c, () => http.signInWithMagicAuth(routeRequest(c), input)),
    /**
     * Moves the signed-in user's session into another organization they are an active member of
     * (an organization switcher). On success the new session cookie is set on `c`, so answer
     * with `c.redirect(...)` (a `new Response` of your own would drop it); the new session
     * applies from the next request. On failure render `error.message` (403 reason
     * `not_a_member` for an organization the user is not in, or one that does not exist), or
     * return `response`. Mount it as a `POST`: a cross-site `POST` with the cookie is refused.
     * Never rejects for a non-member or bad input.
     *
     * @example
     * ```ts
     * app.post('/organization', async (c) => {
     *   const { organizationId } = await c.req.parseBody()
     *   const result = await auth.switchOrganization(c, { organizationId })
     *   if (result.ok) return c.redirect('/dashboard', 303)
     *   return c.html(switcherPage({ error: result.error.message }), result.status)
     * })
     * ```
     */
    async switchOrganization(
      c: Context,
      input: SwitchOrganizationInput,
    ): Promise<HonoSwitchOrganizationResult> {
      const result = await withRequestDatabase(c, () =>
        http.switchOrganization(routeRequest(c), input),
      );
      if (result.setCookie) c.header('set-cookie', result.setCookie, { append: true });
      const { setCookie: _sent, ...answer } = result;
      return answer;
    },
  };
}

/** What {@link createHonoAuth} returns. */
export type HonoAuth<O extends OrgkitCore = Orgkit> = ReturnType<typeof createHonoAuth<O>>;
export type {
  AccessOf,
  HttpAuthOptions,
  MagicAuthInput,
  MagicAuthResult,
  OrgkitCore,
  RouteRule,
  SealedSessionOptions,
  SwitchOrganizationInput,
  SwitchOrganizationResult,
  TrustProxy,
} from '../../http/index.js';
export type { Orgkit, OrgkitConfig, Session } from '../../index.js';
