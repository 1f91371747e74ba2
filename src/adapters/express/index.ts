/**
 * `orgkit/express`: Express 5 middleware. Every request runs in orgkit's request scope; route
 * guards answer 401/403 JSON (or redirect, for page routes). `req.auth` is typed by declaration
 * merging.
 * @packageDocumentation
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  type AccessOf,
  createHttpAuth,
  createRouteGuards,
  type HttpAuthOptions,
  type HttpReply,
  NodeHeaders,
  type OrgkitCore,
  type RequestAuth,
  type RouteGuard,
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
     * 500 (logged, never sent). Put your own handlers before it.
     */
    errorHandler: (): ErrorRequestHandler => (error, req, res, next) => {
      if (res.headersSent) return next(error);
      const auth = (req as SeenRequest)[AUTH];
      http
        .answerError(error, auth, { method: req.method, target: req.originalUrl })
        .then((reply) => (res.headersSent ? next(error) : send(res, reply)))
        .catch(next);
    },
    /** `POST` handler for WorkOS webhooks; mount it before any JSON body parser. */
    webhook: (): RequestHandler =>
      route(async (req) => http.webhook(await rawBody(req), req.get('workos-signature'))),
    signIn: (): RequestHandler => route((req) => http.signIn(routeRequest(req))),
    callback: (): RequestHandler => route((req) => http.callback(routeRequest(req))),
    signOut: (): RequestHandler => route((req) => http.signOut(routeRequest(req))),
  };
}

/** What {@link createExpressAuth} returns. */
export type ExpressAuth<O extends OrgkitCore = Orgkit> = ReturnType<typeof createExpressAuth<O>>;
export type {
  AccessOf,
  HttpAuthOptions,
  OrgkitCore,
  RouteRule,
  SealedSessionOptions,
  TrustProxy,
} from '../../http/index.js';
export type { Orgkit, OrgkitConfig, Session } from '../../index.js';
