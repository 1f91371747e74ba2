import { isOrgkitError, OrgkitError } from '../errors/index.js';
import type { Session } from '../session/index.js';
import type { Telemetry } from '../telemetry/index.js';
import { cookieIsSecure, type HeadersLike, readCookie, serializeCookie } from './headers.js';
import type { ParsedSessionOptions } from './options.js';
import { coordinatedRefresh, type RefreshCoordination } from './refresh/coordinate.js';
import { countRefresh } from './session-metrics.js';

/** What a session cookie yielded. @internal */
export interface CookieAuth {
  session?: Session | undefined;
  rejection?: OrgkitError | undefined;
  /** A refreshed cookie, or one that deletes a cookie that can never work again. */
  setCookie?: string | undefined;
  /** The sealed session `session` came from: the cookie's, or the one it was refreshed into. */
  sealedSession?: string | undefined;
}

interface RefreshResult {
  authenticated: boolean;
  retryable?: boolean;
  sealedSession?: string;
  session?: { accessToken: string };
}

/** Why a refresh went wrong, for the audit log (`session.refresh_failed`). @internal */
export type RefreshProblem = 'store_unavailable' | 'wait_timed_out' | 'session_ended';

// A refresh's outcome, shared by the requests that carried one cookie; each request turns it into
// its own `Set-Cookie` (whose `Secure` depends on the host it was sent to).
interface Refreshed {
  session?: Session | undefined;
  rejection?: OrgkitError | undefined;
  sealedSession?: string | undefined;
  clear?: boolean | undefined;
}

/**
 * Reads the SDK's sealed-session cookie: unseal with the SDK, verify the access token with
 * orgkit's verifier, and when it has expired refresh it once through WorkOS. WorkOS rotates
 * refresh tokens, so two requests refreshing the same cookie would sign the user out; parallel
 * requests carrying one cookie share one refresh, and its result is kept for the grace window for
 * requests still in flight with the old cookie. With `coordination`, instances share it too.
 * @internal
 */
export function createSealedSessionReader(
  o: ParsedSessionOptions,
  verify: (token: string) => Promise<Session>,
  coordination?: RefreshCoordination | undefined,
  report: (headers: HeadersLike, problem: RefreshProblem) => Promise<void> = async () => {},
  telemetry?: Telemetry,
) {
  const um = o.workos.userManagement;
  const attributes = (headers: HeadersLike) => ({
    ...o.cookie,
    secure: cookieIsSecure(o.cookie.secure, headers),
  });
  const cookie = (value: string, headers: HeadersLike) =>
    serializeCookie(o.cookieName, value, o.cookie.maxAgeSeconds, attributes(headers));
  const cleared = (headers: HeadersLike) =>
    serializeCookie(o.cookieName, '', 0, attributes(headers));
  const refreshes = new Map<string, Promise<Refreshed>>();

  async function refresh(sessionData: string): Promise<Refreshed> {
    const refreshed = await refreshUncounted(sessionData);
    countRefresh(telemetry, refreshed.rejection);
    return refreshed;
  }

  async function refreshUncounted(sessionData: string): Promise<Refreshed> {
    let result: RefreshResult;
    try {
      result = await um
        .loadSealedSession({ sessionData, cookiePassword: o.cookiePassword })
        .refresh({ cookiePassword: o.cookiePassword });
    } catch (cause) {
      return {
        rejection: new OrgkitError('upstream_unavailable', 'could not refresh the session', {
          cause,
        }),
      };
    }
    if (!result.authenticated || !result.session || !result.sealedSession) {
      if (result.retryable) {
        return {
          rejection: new OrgkitError('upstream_unavailable', 'could not refresh the session'),
        };
      }
      return {
        rejection: new OrgkitError('unauthenticated', 'the session has ended; sign in again', {
          reason: 'session_ended',
        }),
        clear: true,
      };
    }
    try {
      return {
        session: await verify(result.session.accessToken),
        sealedSession: result.sealedSession,
      };
    } catch (error) {
      return { rejection: error as OrgkitError, clear: true };
    }
  }

  // The session another instance refreshed the cookie into, as this instance reads it.
  async function fromShared(sealedSession: string): Promise<Refreshed> {
    const data = (await um.getSessionFromCookie({
      sessionData: sealedSession,
      cookiePassword: o.cookiePassword,
    })) as { accessToken?: unknown } | undefined;
    if (typeof data?.accessToken !== 'string') {
      return {
        rejection: new OrgkitError('unauthenticated', 'the refreshed session is not valid', {
          reason: 'invalid_session_cookie',
        }),
        clear: true,
      };
    }
    try {
      return { session: await verify(data.accessToken), sealedSession };
    } catch (error) {
      return { rejection: error as OrgkitError };
    }
  }

  async function refreshOnce(sessionData: string, headers: HeadersLike): Promise<Refreshed> {
    if (!coordination) return refresh(sessionData);
    const shared = await coordinatedRefresh(
      coordination,
      sessionData,
      () => refresh(sessionData),
      (result) => result.sealedSession,
    );
    if (shared.failure) await report(headers, shared.failure);
    if (shared.own) return shared.own as Refreshed;
    if (shared.sealedSession) return fromShared(shared.sealedSession);
    return {
      rejection: new OrgkitError(
        'upstream_unavailable',
        'the session is being refreshed by another instance; try again',
        { reason: 'refresh_in_progress' },
      ),
    };
  }

  function sharedRefresh(sessionData: string, headers: HeadersLike): Promise<Refreshed> {
    let pending = refreshes.get(sessionData);
    if (!pending) {
      // Recorded before any request hears of it, as access.denied is.
      pending = refreshOnce(sessionData, headers).then(async (refreshed) => {
        if (refreshed.clear) await report(headers, 'session_ended');
        return refreshed;
      });
      refreshes.set(sessionData, pending);
      void pending.finally(() => {
        // Node's timer would hold the process open without unref(); elsewhere a timer is a number.
        const timer = setTimeout(() => refreshes.delete(sessionData), o.refresh.graceMs);
        (timer as { unref?: () => void }).unref?.();
      });
    }
    return pending;
  }

  return {
    /** Reads and, when needed, refreshes the session cookie. */
    async read(headers: HeadersLike): Promise<CookieAuth> {
      const sessionData = readCookie(headers, o.cookieName);
      if (!sessionData) return {};
      const data = (await um.getSessionFromCookie({
        sessionData,
        cookiePassword: o.cookiePassword,
      })) as { accessToken?: unknown } | undefined;
      if (typeof data?.accessToken !== 'string') {
        return {
          rejection: new OrgkitError('unauthenticated', 'the session cookie is not valid', {
            reason: 'invalid_session_cookie',
          }),
          setCookie: cleared(headers),
        };
      }
      try {
        return { session: await verify(data.accessToken), sealedSession: sessionData };
      } catch (error) {
        if (!isOrgkitError(error) || error.reason !== 'expired') {
          return { rejection: error as OrgkitError };
        }
      }
      const refreshed = await sharedRefresh(sessionData, headers);
      const setCookie = refreshed.sealedSession
        ? cookie(refreshed.sealedSession, headers)
        : refreshed.clear
          ? cleared(headers)
          : undefined;
      return {
        session: refreshed.session,
        rejection: refreshed.rejection,
        setCookie,
        sealedSession: refreshed.sealedSession,
      };
    },
    /** A `Set-Cookie` holding `sealedSession`, for a response to a request with `headers`. */
    cookie,
    /** A `Set-Cookie` deleting the session cookie, for a response to a request with `headers`. */
    cleared,
  };
}

/** @internal */
export type SealedSessionReader = ReturnType<typeof createSealedSessionReader>;
