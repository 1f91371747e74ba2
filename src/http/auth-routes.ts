import { Buffer } from 'node:buffer';
import { decodeJwt } from 'jose';
import { OrgkitError } from '../errors/index.js';
import type { Telemetry } from '../telemetry/index.js';
import { statusOf } from '../workos-calls/call.js';
import { crossSiteRefusal } from './cross-site.js';
import { errorResponse } from './error-response.js';
import { cookieIsSecure, type HeadersLike, readCookie, serializeCookie } from './headers.js';
import type { ParsedSessionOptions } from './options.js';
import type { SealedSessionReader } from './sealed-session.js';
import { countSignIn } from './session-metrics.js';
import { signInError } from './sign-in-error.js';

/** What the sign-in routes read of a request. */
export interface AuthRouteRequest {
  /** @default 'GET' */
  method?: string | undefined;
  url: URL;
  headers: HeadersLike;
  ipAddress?: string | undefined;
  userAgent?: string | undefined;
}

const STATE_COOKIE = 'orgkit-auth-state';
const STATE_MAX_AGE = 600;

/** A same-site path, never `//evil.example` or `/\evil.example`: no open redirect. @internal */
export function safeReturnTo(value: string | null | undefined, fallback = '/'): string {
  if (!value || !/^\/(?![/\\])/.test(value) || /[\r\n]/.test(value)) return fallback;
  return value;
}

/** A `302` to `location` setting `cookies`, never cached. @internal */
export function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ location, 'cache-control': 'no-store' });
  for (const c of cookies) headers.append('set-cookie', c);
  return new Response(null, { status: 302, headers });
}

// In constant time for equal lengths, as node:crypto's timingSafeEqual, which Next.js's edge
// runtime lacks.
function sameNonce(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) return false;
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= (x[i] as number) ^ (y[i] as number);
  return difference === 0;
}

/** The HTTP status an SDK exception carries. @internal */

/** What the sign-in routes are given besides the session options. @internal */
export interface AuthRouteContext {
  /** Origins trusted besides the request's own (see `trustedOrigins`). */
  trustedOrigins: ReadonlySet<string>;
  /** Told of a sign-out whose session WorkOS could not be asked to revoke. */
  report: (error: unknown) => void;
  /** Counts sign-ins and their failures. */
  telemetry?: Telemetry | undefined;
}

/**
 * Sign-in, callback and sign-out over the SDK's sealed session. The `state` parameter carries a
 * nonce matched against a short-lived cookie (login CSRF) and the page to return to.
 * @internal
 */
export function createAuthRoutes(
  o: ParsedSessionOptions,
  sessions: SealedSessionReader,
  context: AuthRouteContext,
) {
  const um = o.workos.userManagement;
  const stateCookie = (value: string, maxAge: number, headers: HeadersLike) =>
    serializeCookie(STATE_COOKIE, value, maxAge, {
      ...o.cookie,
      secure: cookieIsSecure(o.cookie.secure, headers),
    });

  // Ends the session at WorkOS, so its refresh token stops working even if the browser never
  // follows the logout redirect. A session WorkOS no longer knows has already ended.
  async function revoke(sessionId: string): Promise<void> {
    if (typeof um.revokeSession !== 'function') return;
    try {
      await um.revokeSession({ sessionId });
    } catch (cause) {
      if (statusOf(cause) === 404) return;
      context.report(
        new OrgkitError(
          'upstream_unavailable',
          'sign-out could not revoke the WorkOS session; the cookie was still deleted and the browser sent to WorkOS logout',
          { cause },
        ),
      );
    }
  }

  return {
    signIn(request: AuthRouteRequest): Response {
      const nonce = crypto.randomUUID();
      const returnTo = safeReturnTo(request.url.searchParams.get('returnTo'));
      const loginHint = request.url.searchParams.get('login_hint') ?? undefined;
      const url: string = um.getAuthorizationUrl({
        provider: 'authkit',
        clientId: o.clientId,
        redirectUri: o.redirectUri,
        state: `${nonce}.${Buffer.from(returnTo).toString('base64url')}`,
        ...(loginHint ? { loginHint } : {}),
      });
      return redirect(url, [stateCookie(nonce, STATE_MAX_AGE, request.headers)]);
    },

    async callback(request: AuthRouteRequest): Promise<Response> {
      const params = request.url.searchParams;
      const [nonce = '', encodedReturnTo = ''] = (params.get('state') ?? '').split('.');
      const expected = readCookie(request.headers, STATE_COOKIE);
      const code = params.get('code');
      if (!expected || !nonce || !sameNonce(nonce, expected)) {
        return errorResponse(
          new OrgkitError('invalid_input', 'the sign-in state does not match; start again', {
            reason: 'state_mismatch',
          }),
        );
      }
      if (!code) {
        return errorResponse(
          new OrgkitError('unauthenticated', 'sign-in did not complete', {
            reason: params.get('error') === null ? 'missing_code' : 'sign_in_failed',
          }),
        );
      }
      let sealedSession: string | undefined;
      try {
        ({ sealedSession } = await um.authenticateWithCode({
          clientId: o.clientId,
          code,
          ipAddress: request.ipAddress,
          userAgent: request.userAgent,
          session: { sealSession: true, cookiePassword: o.cookiePassword },
        }));
      } catch (cause) {
        const error = signInError(cause, 'the sign-in code was not accepted');
        countSignIn(context.telemetry, 'code', error);
        return errorResponse(error);
      }
      countSignIn(context.telemetry, 'code');
      const returnTo = safeReturnTo(Buffer.from(encodedReturnTo, 'base64url').toString());
      return redirect(returnTo, [
        sessions.cookie(sealedSession!, request.headers),
        stateCookie('', 0, request.headers),
      ]);
    },

    /**
     * Revokes the cookie's WorkOS session, deletes the cookie and redirects to WorkOS's logout
     * URL. A cross-site `POST` carrying the cookie is refused (a page on another site must not be
     * able to sign the user out).
     */
    async signOut(request: AuthRouteRequest): Promise<Response> {
      const sessionData = readCookie(request.headers, o.cookieName);
      if (sessionData) {
        const refusal = crossSiteRefusal({
          method: request.method ?? 'GET',
          headers: request.headers,
          trustedOrigins: context.trustedOrigins,
        });
        if (refusal) return errorResponse(refusal);
      }
      const data = sessionData
        ? ((await um.getSessionFromCookie({ sessionData, cookiePassword: o.cookiePassword })) as {
            accessToken?: unknown;
          })
        : undefined;
      let sessionId: unknown;
      try {
        // Only to name the session WorkOS should end; the cookie was sealed by us, and an
        // expired token must still be able to sign out.
        if (typeof data?.accessToken === 'string') sessionId = decodeJwt(data.accessToken).sid;
      } catch {}
      const fallback = o.afterSignOutUrl ?? '/';
      if (typeof sessionId !== 'string')
        return redirect(fallback, [sessions.cleared(request.headers)]);
      await revoke(sessionId);
      const location = um.getLogoutUrl({ sessionId, returnTo: o.afterSignOutUrl });
      return redirect(location, [sessions.cleared(request.headers)]);
    },
  };
}
