import {
  HTTP_STATUS_BY_CODE,
  isOrgkitError,
  type OrgkitError,
  type OrgkitErrorCode,
} from '../errors/index.js';

/** The JSON body of every error orgkit's adapters send. */
export interface ErrorBody {
  error: { code: OrgkitErrorCode; message: string; reason?: string };
}

/** A status and body ready to send. */
export interface ErrorPayload {
  status: number;
  body: ErrorBody;
}

const UNEXPECTED: ErrorPayload = {
  status: 500,
  body: { error: { code: 'internal', message: 'internal server error' } },
};

/**
 * Maps an error to `{ status, body }` through `HTTP_STATUS_BY_CODE`. An orgkit error's message is
 * written to be shown (it never holds a token or a claim); anything else becomes a bare 500, so a
 * driver's message or a stack never reaches the client.
 *
 * @example
 * ```ts
 * const { status, body } = errorPayload(error)
 * res.status(status).json(body)
 * ```
 */
export function errorPayload(error: unknown): ErrorPayload {
  if (!isOrgkitError(error)) return UNEXPECTED;
  const e = error as OrgkitError;
  const body: ErrorBody = { error: { code: e.code, message: e.message } };
  if (e.reason) body.error.reason = e.reason;
  return { status: HTTP_STATUS_BY_CODE[e.code] ?? 500, body };
}

/** A framework-free answer: a JSON error, or a redirect when `body` is absent. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body?: ErrorBody | undefined;
}

/** Whole seconds to wait, from a `rate_limited` error's `details.retryAfterSeconds`. */
function retryAfterOf(error: unknown): string | undefined {
  const seconds = isOrgkitError(error) ? error.details?.retryAfterSeconds : undefined;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? String(Math.ceil(seconds))
    : undefined;
}

/**
 * The error as a JSON reply, with `WWW-Authenticate` on a 401 as RFC 6750 asks and `Retry-After`
 * on a 429 (RFC 9110) when the error says how long to wait.
 */
export function errorReply(error: unknown): HttpReply {
  const { status, body } = errorPayload(error);
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (status === 429) {
    const retryAfter = retryAfterOf(error);
    if (retryAfter) headers['retry-after'] = retryAfter;
  }
  if (status === 401) {
    headers['www-authenticate'] =
      body.error.reason && body.error.reason !== 'no_session'
        ? 'Bearer error="invalid_token"'
        : 'Bearer';
  }
  return { status, headers, body };
}

/**
 * A JSON `Response`, built with `new Response` rather than the static `Response.json`: servers
 * that install their own global `Response` (@hono/node-server, Next under a custom server) check
 * `instanceof` against it, and the statics can return the platform's class instead.
 * @internal
 */
export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, 'content-type': 'application/json' },
  });
}

/** An {@link HttpReply} as a Web `Response`. */
export function toResponse(reply: HttpReply): Response {
  return reply.body
    ? jsonResponse(reply.body, reply.status, reply.headers)
    : new Response(null, { status: reply.status, headers: reply.headers });
}

/** The error as a Web `Response` (see {@link errorReply}). */
export function errorResponse(error: unknown): Response {
  return toResponse(errorReply(error));
}
