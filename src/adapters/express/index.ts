/**
 * `orgkit/express`: Express 5 middleware. Every request runs in orgkit's request scope; route
 * guards answer 401/403 JSON (or redirect, for page routes). `req.auth` is typed by declaration
 * merging.
 * @module orgkit/express
 */
import { Buffer } from 'node:buffer';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  type AccessOf,
  createHttpAuth,
  createRouteGuards,
  type ErrorBody,
  errorResponse,
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
import type { Orgkit, Session } from '../../index.js';
import { OrgkitError } from '../../index.js';

/** What orgkit puts on `req.auth`. */
export interface OrgkitRequestAuth {
  /** The verified session, or `undefined` when the request carries none. */
  readonly session: Session | undefined;
  readonly requestId: string;
  /** The client IP after the `trustProxy` rule. */
  readonly ipAddress: string | undefined;
  readonly userAgent: string | undefined;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by orgkit's middleware and guards. */
      auth?: OrgkitRequestAuth;
    }
  }
}

function send(res: Response, reply: HttpReply): void {
  res.status(reply.status).set(reply.headers);
  if (reply.body) res.json(reply.body);
  else res.end();
}

async function sendResponse(res: Response, web: globalThis.Response) {
  res.status(web.status);
  web.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = web.headers.getSetCookie();
  if (cookies.length > 0) res.append('set-cookie', cookies);
  res.end(Buffer.from(await web.arrayBuffer()));
}

// WorkOS signs the exact bytes it sent, so the body must not have gone through a JSON parser.
async function rawBody(req: Request): Promise<string> {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  if (body === undefined && !req.readableEnded) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  throw new OrgkitError(
    'invalid_config',
    'the webhook route needs the raw body: mount it before express.json(), or give it express.raw({ type: "application/json" })',
  );
}

/** How {@link ExpressAuth.signInWithMagicAuth} ended; on success the redirect was sent. */
/** What `errorHandler({ render })` is given: the answer orgkit would send as JSON. */
export interface ExpressErrorAnswer {
  status: number;
  /** `{ code, message, reason? }`; the message is written to be shown, never a stack or token. */
  error: ErrorBody['error'];
  /** The error thrown; anything not an orgkit error is answered as a bare 500. */
  cause: unknown;
}

/** Options of `auth.errorHandler()`. */
export interface ExpressErrorHandlerOptions {
  /**
   * Sends the answer yourself (an HTML error page). Status and headers are already set on
   * `res`; the refusal is already recorded. @default JSON `{ error: { code, message } }`
   */
  render?: (answer: ExpressErrorAnswer, req: Request, res: Response) => void | Promise<void>;
}

export type ExpressMagicAuthResult =
  | { ok: true; userId: string; organizationId: string | undefined }
  | Omit<Extract<MagicAuthResult, { ok: false }>, 'response'>;

/** How {@link ExpressAuth.switchOrganization} ended; on success the new cookie is set on `res`. */
export type ExpressSwitchOrganizationResult =
  | Omit<Extract<SwitchOrganizationResult, { ok: true }>, 'setCookie'>
  | Omit<Extract<SwitchOrganizationResult, { ok: false }>, 'response' | 'setCookie'>;

// The form's fields: from `express.urlencoded()` when it ran, else read here (no parser needed).
async function formOf(req: Request): Promise<Record<string, unknown>> {
  const body: unknown = req.body;
  if (body !== undefined && body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
    return body as Record<string, unknown>;
  }
  if (body === undefined && !req.readableEnded) {
    return readFormFields(req, req.get('content-type'));
  }
  return readFormFields([Buffer.from(String(body ?? ''))], req.get('content-type'));
}

/**
 * Binds orgkit to Express: `express()` for every route, guards per route, the sign-in and webhook
 * handlers, and an error handler that answers `{ error: { code, message } }`.
 *
 * @example
 * ```ts
 * const auth = createExpressAuth(orgkit, { trustProxy: 1 })
 * app.post('/webhooks/workos', auth.webhook())
 * app.use(auth.express())
 * app.get('/api/admin', auth.requireRole('admin'), (req, res) => res.json(req.auth?.session))
 * app.use(auth.errorHandler())
 * ```
 */
export function createExpressAuth<O extends OrgkitCore<any>>(
  orgkit: O,
  options: HttpAuthOptions = {},
) {
  type AC = AccessOf<O>;
  const http = createHttpAuth(orgkit as OrgkitCore<AC>, options);
  // The request's auth for this instance (a second instance's guard opens its own scope). A
  // property rather than a WeakMap: an entry per request in a WeakMap costs the garbage collector
  // more than all the rest of the look-up.
  const AUTH: unique symbol = Symbol('orgkit.auth');
  type SeenRequest = Request & { [AUTH]?: RequestAuth };

  function attach(req: Request, res: Response, auth: RequestAuth): void {
    (req as SeenRequest)[AUTH] = auth;
    // The scope's fields are exactly these; the scope itself is copied when it is entered.
    req.auth = auth.scope;
    if (auth.setCookies.length > 0) res.append('set-cookie', [...auth.setCookies]);
  }

  /**
   * Runs `inScope` in the request's scope. A request whose token and roles are cached is answered
   * in the same tick, without a promise; any other waits for verification.
   */
  function enter(req: Request, res: Response, inScope: (auth: RequestAuth) => unknown): unknown {
    const headers = new NodeHeaders(req.headers);
    const remoteAddress = req.socket.remoteAddress;
    const known = http.authenticateNow(headers, remoteAddress);
    if (known) {
      attach(req, res, known);
      return http.run(known, () => inScope(known));
    }
    return http.authenticate(headers, remoteAddress, req.method).then((auth) => {
      attach(req, res, auth);
      // A cross-site request carrying the session cookie: answered here, no handler runs.
      if (auth.refusal) {
        return http
          .answerError(auth.refusal, auth, { method: req.method, target: req.originalUrl })
          .then((reply) => send(res, reply));
      }
      return http.run(auth, () => inScope(auth));
    });
  }

  // Failures go to `next`; handing a promise back would make the router chain one more.
  const settle = (result: unknown, next: (error?: unknown) => void): void => {
    if (result instanceof Promise) result.catch(next);
  };

  function guarded(guard: RouteGuard): RequestHandler {
    // A 403 is recorded (and awaited) before it is sent; allowed requests never come here.
    const refuse = (req: Request, res: Response, auth: RequestAuth, error: unknown) =>
      guard
        .refuse(error, auth, { method: req.method, target: req.originalUrl })
        .then((reply) => send(res, reply));
    const checkThenNext = (
      req: Request,
      res: Response,
      next: (error?: unknown) => void,
      auth: RequestAuth,
    ): unknown => {
      const verdict = guard.checkNow(auth);
      if (verdict === true) return next();
      if (verdict) return refuse(req, res, auth, verdict);
      return guard.check(auth).then(next, (error: unknown) => refuse(req, res, auth, error));
    };
    return (req, res, next) => {
      const auth = (req as SeenRequest)[AUTH];
      // Usable without `express()`: the guard then opens the request scope itself.
      const run = auth
        ? checkThenNext(req, res, next, auth)
        : enter(req, res, (opened) => checkThenNext(req, res, next, opened));
      settle(run, next);
    };
  }

  const routeRequest = (req: Request) => ({
    method: req.method,
    url: new URL(req.originalUrl, 'http://localhost'),
    headers: new NodeHeaders(req.headers),
    remoteAddress: req.socket.remoteAddress,
  });
  const route =
    (
      answer: (req: Request) => globalThis.Response | Promise<globalThis.Response>,
    ): RequestHandler =>
    async (req, res) =>
      sendResponse(res, await answer(req));

  return {
    /** Reads the session (optional: anonymous requests pass) and runs the rest in its scope. */
    express: (): RequestHandler => (req, res, next) =>
      settle(
        enter(req, res, () => next()),
        next,
      ),
    ...createRouteGuards(http, guarded),
    /**
     * Last in the chain: orgkit errors as `{ error: { code, message } }`, anything else as a bare
     * 500 (logged, never sent). A refusal is recorded (`access.denied`) and its headers
     * (`Retry-After`, `WWW-Authenticate`) set either way; `render` answers with your own page.
     */
    errorHandler:
      (options: ExpressErrorHandlerOptions = {}): ErrorRequestHandler =>
      (error, req, res, next) => {
        if (res.headersSent) return next(error);
        const auth = (req as SeenRequest)[AUTH];
        http
          .answerError(error, auth, { method: req.method, target: req.originalUrl })
          .then(async (reply) => {
            if (res.headersSent) return next(error);
            if (!options.render || !reply.body) return send(res, reply);
            res.status(reply.status).set(reply.headers);
            await options.render(
              { status: reply.status, error: reply.body.error, cause: error },
              req,
              res,
            );
          })
          .catch(next);
      },
    /** `POST` handler for WorkOS webhooks; mount it before any JSON body parser. */
    webhook: (): RequestHandler =>
      route(async (req) => http.webhook(await rawBody(req), req.get('workos-signature'))),
    signIn: (): RequestHandler => route((req) => http.signIn(routeRequest(req))),
    callback: (): RequestHandler => route((req) => http.callback(routeRequest(req))),
    signOut: (): RequestHandler => route((req) => http.signOut(routeRequest(req))),
    /**
     * `POST` handler for a magic-auth sign-in form (fields `email`, `code`, optional `returnTo`):
     * a 302 setting the session cookie, or the usual JSON error (401 reason `invalid_code` for a
     * wrong or expired code). Needs no body parser. To show the error on your own page, use
     * `signInWithMagicAuth`.
     */
    magicAuth: (): RequestHandler =>
      route(async (req) => {
        let form: Record<string, unknown>;
        try {
          form = await formOf(req);
        } catch (error) {
          return errorResponse(error);
        }
        const { email, code, returnTo } = form;
        const result = await http.signInWithMagicAuth(routeRequest(req), { email, code, returnTo });
        return result.response;
      }),
    /**
     * Signs in with an email and magic-auth code your own form collected. On success it sends the
     * redirect (with the session cookie) itself; on failure it sends nothing, so you render
     * `error.message` on your page. Never rejects for a wrong code or bad input.
     *
     * @example
     * ```ts
     * app.post('/guest/sign-in', express.urlencoded({ extended: false }), async (req, res) => {
     *   const result = await auth.signInWithMagicAuth(req, res, { ...req.body, returnTo: '/bookings' })
     *   if (!result.ok) res.status(result.status).send(signInPage({ error: result.error.message }))
     * })
     * ```
     */
    async signInWithMagicAuth(
      req: Request,
      res: Response,
      input: MagicAuthInput,
    ): Promise<ExpressMagicAuthResult> {
      const result = await http.signInWithMagicAuth(routeRequest(req), input);
      if (!result.ok) return { ok: false, error: result.error, status: result.status };
      await sendResponse(res, result.response);
      return { ok: true, userId: result.userId, organizationId: result.organizationId };
    },
    /**
     * Moves the signed-in user's session into another organization they are an active member of
     * (an organization switcher). On success the new session cookie is set on `res` and you send
     * the redirect; the new session applies from the next request. On failure nothing is sent:
     * render `error.message` (403 reason `not_a_member` for an organization the user is not in,
     * or one that does not exist). Mount it as a `POST`: a cross-site `POST` with the cookie is
     * refused. Never rejects for a non-member or bad input.
     *
     * @example
     * ```ts
     * app.post('/organization', express.urlencoded({ extended: false }), async (req, res) => {
     *   const result = await auth.switchOrganization(req, res, { organizationId: req.body.organizationId })
     *   if (result.ok) return res.redirect(303, '/dashboard')
     *   res.status(result.status).send(switcherPage({ error: result.error.message }))
     * })
     * ```
     */
    async switchOrganization(
      req: Request,
      res: Response,
      input: SwitchOrganizationInput,
    ): Promise<ExpressSwitchOrganizationResult> {
      const result = await http.switchOrganization(routeRequest(req), input);
      if (result.setCookie) res.append('set-cookie', result.setCookie);
      if (!result.ok) return { ok: false, error: result.error, status: result.status };
      const { setCookie: _sent, ...switched } = result;
      return switched;
    },
  };
}

/** What {@link createExpressAuth} returns. */
export type ExpressAuth<O extends OrgkitCore = Orgkit> = ReturnType<typeof createExpressAuth<O>>;
export type {
  AccessOf,
  ErrorBody,
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
