import type { RequestScopeInit } from '../context/index.js';
import { isOrgkitError, OrgkitError, safeParse } from '../errors/index.js';
import type { AccessControl } from '../roles/index.js';
import type { Session } from '../session/index.js';
import { telemetryOf } from '../telemetry/index.js';
import { type AuthRouteRequest, createAuthRoutes } from './auth-routes.js';
import { type AccessRule, compileAccessRule } from './authorize.js';
import { createClientIpResolver } from './client-ip.js';
import { crossSiteRefusal, originSet } from './cross-site.js';
import { errorReply, type HttpReply } from './error-response.js';
import { type HeadersLike, readBearerToken } from './headers.js';
import { createMagicAuthSignIn, type MagicAuthInput, type MagicAuthResult } from './magic-auth.js';
import { type HttpAuthOptions, httpAuthOptionsSchema, withSessionEnv } from './options.js';
import type { OrgkitCore } from './orgkit-core.js';
import { createDenialRecorder, type DeniedRequest } from './record-denial.js';
import { createPostgresRefreshStore } from './refresh/postgres-refresh-store.js';
import { createRedisRefreshStore } from './refresh/redis-refresh-store.js';
import type { RefreshStore } from './refresh/refresh-store.js';
import { requestIdFrom, userAgentFrom } from './request-id.js';
import { createSealedSessionReader, type RefreshProblem } from './sealed-session.js';
import {
  createOrganizationSwitch,
  type SwitchOrganizationInput,
  type SwitchOrganizationResult,
} from './switch-organization.js';
import { traceGuard } from './trace-guard.js';
import { answerWebhook } from './webhook.js';

/** What one request proved about its caller, and the scope it runs in. */
export interface RequestAuth {
  session: Session | undefined;
  /** Why a credential the request carried was refused (expired, forged, …), if it was. */
  rejection: OrgkitError | undefined;
  scope: RequestScopeInit & {
    requestId: string;
    session: Session | undefined;
    ipAddress: string | undefined;
    userAgent: string | undefined;
  };
  /** `Set-Cookie` values for the response: a refreshed session, or a dead one deleted. */
  setCookies: readonly string[];
  /**
   * Set when the request must be refused whatever the route: a state-changing request that
   * carries the session cookie and came from another site (`forbidden`, reason
   * `cross_site_request`). Adapters answer it with 403 before any handler runs.
   */
  refusal?: OrgkitError | undefined;
}

/** A route's requirements; with `redirectTo` it is a page route and answers with redirects. */
export interface RouteRule<AC extends AccessControl = AccessControl> extends AccessRule<AC> {
  /** Page route: signed-out users go to sign-in, forbidden users to this path. */
  redirectTo?: string | undefined;
}

/** A compiled route rule. */
export interface RouteGuard {
  /** Throws `unauthenticated` or `forbidden`. Runs inside the request scope. */
  check(auth: RequestAuth): Promise<void>;
  /**
   * `check`'s answer from cached roles, without waiting: `true` (allowed), the error `check`
   * would throw, or `undefined` when the roles are not cached (then call `check`). Runs inside
   * the request scope.
   */
  checkNow(auth: RequestAuth): true | OrgkitError | undefined;
  /** The reply for what `check` threw; `returnTo` is the path and query of the request. */
  reply(error: unknown, returnTo: string): HttpReply;
  /**
   * `reply` for a request, after recording a 403 (also one a page route turns into a redirect)
   * as `access.denied`. The write is awaited, so the event is committed before the client hears
   * of the refusal; a failed write is reported and the refusal still sent.
   */
  refuse(error: unknown, auth: RequestAuth, request: DeniedRequest): Promise<HttpReply>;
}

/** What the sign-in routes need of a request. */
export interface RouteRequest {
  /** @default 'GET' */
  method?: string | undefined;
  url: URL;
  headers: HeadersLike;
  remoteAddress?: string | undefined;
}

const ALLOWED: Promise<void> = Promise.resolve();
const NO_COOKIES: readonly string[] = Object.freeze([]);

const NO_SESSION = () =>
  new OrgkitError('unauthenticated', 'sign in to use this route', { reason: 'no_session' });

/** The store instances share refreshes through, if the options name one. */
function refreshStoreOf(
  orgkit: OrgkitCore,
  coordinate: NonNullable<ReturnType<typeof parseOptions>['session']>['refresh']['coordinate'],
): RefreshStore | undefined {
  if (coordinate === undefined) return undefined;
  if (coordinate === 'postgres') return createPostgresRefreshStore(orgkit.database, orgkit.tables);
  return createRedisRefreshStore(coordinate.redis);
}

function parseOptions(options: HttpAuthOptions | undefined) {
  const parsed = safeParse(httpAuthOptionsSchema, withSessionEnv(options));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue?.path.map(String).join('.') || '(root)';
  throw new OrgkitError('invalid_config', `orgkit adapter: ${key}: ${issue?.message}`, {
    cause: parsed.error,
  });
}

/**
 * The framework-free half of every adapter: reads credentials from headers, builds the request
 * scope, compiles route rules, and answers sign-in and webhook requests with Web `Response`s.
 *
 * @example
 * ```ts
 * const http = createHttpAuth(orgkit, { trustProxy: 1 })
 * const auth = await http.authenticate(request.headers, remoteAddress)
 * ```
 */
export function createHttpAuth<AC extends AccessControl>(
  orgkit: OrgkitCore<AC>,
  options?: HttpAuthOptions,
) {
  const o = parseOptions(options);
  const clientIp = createClientIpResolver(o.trustProxy);
  const verify = (token: string) => orgkit.verifyAccessToken(token);
  const refreshStore = o.session && refreshStoreOf(orgkit, o.session.refresh.coordinate);
  const coordination = refreshStore && {
    store: refreshStore,
    graceMs: o.session!.refresh.graceMs,
    waitMs: o.session!.refresh.waitMs,
  };
  // Recorded in the request's context, as access.denied is; a write that fails is reported.
  const reportRefresh = (headers: HeadersLike, problem: RefreshProblem): Promise<void> =>
    orgkit
      .runWithRequestScope(
        {
          requestId: requestIdFrom(headers),
          ipAddress: clientIp(headers, undefined),
          userAgent: userAgentFrom(headers),
        },
        () =>
          orgkit.logAuditEvent(
            'session.refresh_failed',
            'session',
            null,
            null,
            { reason: problem },
            // The request has no verified user yet: the sign-in layer acts.
            { actor: { system: 'orgkit-session-refresh' }, outcome: 'failure' },
          ),
      )
      .then(
        () => undefined,
        (cause: unknown) =>
          o.onUnexpectedError(
            new OrgkitError('internal', 'a failed session refresh could not be recorded', {
              cause,
            }),
          ),
      );
  const sessions =
    o.session &&
    createSealedSessionReader(o.session, verify, coordination, reportRefresh, telemetryOf(orgkit));
  const trustedOrigins = originSet(o.trustedOrigins, o.session?.redirectUri);
  const routeContext = {
    trustedOrigins,
    report: o.onUnexpectedError,
    telemetry: telemetryOf(orgkit),
  };
  const routes = o.session && sessions && createAuthRoutes(o.session, sessions, routeContext);
  const magicAuth =
    o.session && sessions && createMagicAuthSignIn(o.session, sessions, routeContext);
  const organizationSwitch =
    o.session && sessions && createOrganizationSwitch(o.session, sessions, routeContext, verify);
  const signInUrl = o.signInUrl;
  const recordDenial = createDenialRecorder(orgkit, o.onUnexpectedError);
  const telemetry = telemetryOf(orgkit);

  const requestAuth = (
    headers: HeadersLike,
    remoteAddress: string | undefined,
    session: Session | undefined,
    rejection: OrgkitError | undefined,
    setCookies: readonly string[],
  ): RequestAuth => {
    const requestId = requestIdFrom(headers);
    const ipAddress = clientIp(headers, remoteAddress);
    const userAgent = userAgentFrom(headers);
    return { session, rejection, scope: { requestId, ipAddress, userAgent, session }, setCookies };
  };

  /**
   * `authenticate`'s answer when it needs no waiting: a Bearer token this instance verified
   * before and still caches. `undefined` otherwise (then call `authenticate`).
   */
  function authenticateNow(
    headers: HeadersLike,
    remoteAddress: string | undefined,
  ): RequestAuth | undefined {
    const bearer = o.acceptBearer ? readBearerToken(headers) : undefined;
    const session = bearer === undefined ? undefined : orgkit.peekVerifiedSession(bearer);
    return session && requestAuth(headers, remoteAddress, session, undefined, NO_COOKIES);
  }

  /**
   * Verifies the request's Bearer token, else its session cookie (refreshing it when expired).
   * Give `method` so a state-changing request authenticated by the cookie is checked for
   * cross-site origin (see {@link RequestAuth.refusal}); without it the request counts as a `GET`.
   */
  async function authenticate(
    headers: HeadersLike,
    remoteAddress: string | undefined,
    method = 'GET',
  ): Promise<RequestAuth> {
    let session: Session | undefined;
    let rejection: OrgkitError | undefined;
    let refusal: OrgkitError | undefined;
    const setCookies: string[] = [];
    const bearer = o.acceptBearer ? readBearerToken(headers) : undefined;
    if (bearer !== undefined) {
      try {
        session = await verify(bearer);
      } catch (error) {
        rejection = isOrgkitError(error)
          ? error
          : new OrgkitError('internal', 'token verification failed', { cause: error });
      }
    } else if (sessions) {
      const fromCookie = await sessions.read(headers);
      session = fromCookie.session;
      rejection = fromCookie.rejection;
      if (fromCookie.setCookie) setCookies.push(fromCookie.setCookie);
      // Judged after the cookie is read: the user is named in the access.denied record, and a
      // cookie refreshed on the way (WorkOS rotated its refresh token) must still be sent back.
      if (session) refusal = crossSiteRefusal({ method, headers, trustedOrigins });
    }
    const auth = requestAuth(headers, remoteAddress, session, rejection, setCookies);
    if (refusal) auth.refusal = refusal;
    return auth;
  }

  function guard(rule: RouteRule<AC> = {}): RouteGuard {
    const { redirectTo, ...access } = rule;
    if (redirectTo !== undefined && !/^\/(?![/\\])|^https?:\/\//.test(redirectTo)) {
      throw new OrgkitError('invalid_config', 'redirectTo: expected a path or an absolute URL');
    }
    const checkAccess = compileAccessRule(orgkit, access);
    const reply = (error: unknown, returnTo: string): HttpReply => {
      const json = errorReply(error);
      if (redirectTo === undefined) return json;
      const headers = { 'cache-control': 'no-store' };
      if (json.status === 401) {
        const sep = signInUrl.includes('?') ? '&' : '?';
        const location = `${signInUrl}${sep}returnTo=${encodeURIComponent(returnTo)}`;
        return { status: 302, headers: { ...headers, location } };
      }
      if (json.status === 403)
        return { status: 302, headers: { ...headers, location: redirectTo } };
      return json;
    };
    return traceGuard(
      {
        // Not `async`: the rule's own promise is returned as it is, one hop fewer per request.
        check(auth) {
          if (!auth.session) return Promise.reject(auth.rejection ?? NO_SESSION());
          return checkAccess ? checkAccess.check() : ALLOWED;
        },
        checkNow(auth) {
          if (!auth.session) return auth.rejection ?? NO_SESSION();
          return checkAccess ? checkAccess.checkNow() : true;
        },
        reply,
        refuse: (error, auth, request) =>
          recordDenial(error, auth.scope, request).then(() => reply(error, request.target)),
      },
      telemetry,
    );
  }

  /**
   * Records `session.organization_switched` in the new session's scope (its user and
   * organization, the request's IP and user agent). As for `access.denied`, a write that fails
   * is reported and the switch still answers: the user's session is already WorkOS's.
   */
  const recordSwitch = (
    result: Extract<SwitchOrganizationResult, { ok: true }>,
    route: AuthRouteRequest,
  ): Promise<void> =>
    orgkit
      .runWithRequestScope(
        {
          session: result.session,
          ipAddress: route.ipAddress,
          userAgent: route.userAgent,
          requestId: requestIdFrom(route.headers),
        },
        () =>
          orgkit.logAuditEvent(
            'session.organization_switched',
            'session',
            result.session.sessionId ?? null,
            {
              oldValues: { organizationId: result.previousOrganizationId ?? null },
              newValues: { organizationId: result.organizationId },
            },
            null,
            { organizationId: result.organizationId },
          ),
      )
      .then(
        () => undefined,
        (cause: unknown) =>
          o.onUnexpectedError(
            new OrgkitError(
              'internal',
              'an organization switch could not be recorded in the audit log (session.organization_switched)',
              { cause },
            ),
          ),
      );

  const toRoute = (request: RouteRequest): AuthRouteRequest => ({
    method: request.method,
    url: request.url,
    headers: request.headers,
    ipAddress: clientIp(request.headers, request.remoteAddress),
    userAgent: userAgentFrom(request.headers),
  });

  const notConfigured = (): never => {
    throw new OrgkitError(
      'invalid_config',
      'sign-in routes need the `session` option (workos, clientId, cookiePassword, redirectUri)',
    );
  };

  return {
    orgkit,
    /** Closes what this object opened (the refresh store's Redis connection, if it made one). */
    close: async (): Promise<void> => {
      await refreshStore?.close();
    },
    authenticate,
    authenticateNow,
    /**
     * The scope of a request whose session was read elsewhere (Next's AuthKit session): the
     * request id, client IP (per `trustProxy`) and user agent from `headers`.
     */
    scopeFor: (headers: HeadersLike, session: Session): RequestAuth =>
      requestAuth(headers, undefined, session, undefined, []),
    /**
     * The JSON reply for an error a handler threw: one that is not orgkit's is reported and
     * answered as a bare 500; a 403 is first recorded as `access.denied` in `auth`'s scope.
     */
    answerError(
      error: unknown,
      auth: RequestAuth | undefined,
      request: DeniedRequest,
    ): Promise<HttpReply> {
      if (!isOrgkitError(error)) o.onUnexpectedError(error);
      const reply = errorReply(error);
      if (!auth || reply.status !== 403) return Promise.resolve(reply);
      return recordDenial(error, auth.scope, request).then(() => reply);
    },
    /**
     * Records a 403 decided outside a route guard's reply (Next's `withAuth`) as `access.denied`;
     * anything else is ignored. Never rejects.
     */
    recordDenial,
    /** Runs `fn` in the request scope `auth` describes. */
    run: <T>(auth: RequestAuth, fn: () => T): T => orgkit.runWithRequestScope(auth.scope, fn),
    guard,
    /** Answers a WorkOS webhook delivery. */
    webhook: (rawBody: string, signature: string | null | undefined) =>
      answerWebhook(orgkit, rawBody, signature),
    /** Redirects to AuthKit; `?returnTo=/path` and `?login_hint=email` are passed through. */
    signIn: (request: RouteRequest): Response =>
      (routes ?? notConfigured()).signIn(toRoute(request)),
    /** Exchanges the code, sets the sealed-session cookie, redirects to `returnTo`. */
    callback: (request: RouteRequest): Promise<Response> =>
      (routes ?? notConfigured()).callback(toRoute(request)),
    /**
     * Revokes the WorkOS session, deletes the cookie and redirects to WorkOS's logout URL; mount
     * it as a `POST` route (a cross-site `POST` with the cookie is refused with 403).
     */
    signOut: (request: RouteRequest): Promise<Response> =>
      (routes ?? notConfigured()).signOut(toRoute(request)),
    /**
     * Exchanges an email and magic-auth code for the sealed-session cookie: `{ ok: true, response }`
     * (a 302 to `returnTo` setting the cookie) or `{ ok: false, error, status, response }`, never a
     * rejection for a wrong code or bad input. Cross-site requests are refused (login CSRF).
     */
    signInWithMagicAuth: (request: RouteRequest, input: MagicAuthInput): Promise<MagicAuthResult> =>
      (magicAuth ?? notConfigured())(toRoute(request), input),
    /**
     * Moves the request's sealed session into another organization the user is an active member
     * of: `{ ok: true, organizationId, session, setCookie }` or `{ ok: false, error, status,
     * response }`, never a rejection for a non-member or bad input. A cross-site state-changing
     * request carrying the cookie is refused.
     */
    switchOrganization: async (
      request: RouteRequest,
      input: SwitchOrganizationInput,
    ): Promise<SwitchOrganizationResult> => {
      const route = toRoute(request);
      const result = await (organizationSwitch ?? notConfigured())(route, input);
      if (result.ok) await recordSwitch(result, route);
      return result;
    },
  };
}

/** What {@link createHttpAuth} returns. */
export type HttpAuth<AC extends AccessControl = AccessControl> = ReturnType<
  typeof createHttpAuth<AC>
>;
