import * as z from 'zod/mini';
import { HTTP_STATUS_BY_CODE, OrgkitError, safeParse } from '../errors/index.js';
import type { Session } from '../session/index.js';
import { statusOf } from '../workos-calls/call.js';
import type { AuthRouteContext, AuthRouteRequest } from './auth-routes.js';
import { crossSiteRefusal } from './cross-site.js';
import { errorResponse } from './error-response.js';
import { readCookie } from './headers.js';
import type { ParsedSessionOptions } from './options.js';
import type { SealedSessionReader } from './sealed-session.js';

/**
 * Which organization to move the session into. Validated by the switch itself, so a raw form
 * value (`c.req.parseBody()`, `req.body`) may be passed as it is.
 */
export interface SwitchOrganizationInput {
  /** A WorkOS organization id (`org_…`) the signed-in user is an active member of. */
  organizationId?: unknown;
}

/** How an organization switch ended. */
export type SwitchOrganizationResult =
  | {
      ok: true;
      /** The organization the session is now in. */
      organizationId: string;
      /** The organization the session was in before, if any. */
      previousOrganizationId: string | undefined;
      /** The new session, verified: its `organizationId`, `role` and `roles` are the organization's. */
      session: Session;
      /** The `Set-Cookie` holding the new sealed session (the adapters set it for you). */
      setCookie: string;
    }
  | {
      ok: false;
      /**
       * `invalid_input` (reason `invalid_organization_id`), `unauthenticated` (no session, or it
       * has ended), `forbidden` (reason `not_a_member`: not an active member, or no such
       * organization, which the message does not tell apart; or `cross_site_request`),
       * `rate_limited` or `upstream_unavailable`. Its message is written to be shown.
       */
      error: OrgkitError;
      /** The HTTP status for `error`. */
      status: 400 | 401 | 403 | 429 | 503;
      /** The usual JSON error response (with `setCookie`), for an app that renders no page of its own. */
      response: Response;
      /** A refreshed or deleted session cookie the read left behind, to send back all the same. */
      setCookie?: string | undefined;
    };

// WorkOS ids are a prefix and a ULID; the cap keeps an id from growing into a payload.
const MAX_ORGANIZATION_ID_LENGTH = 256;

const inputSchema = z.object({
  organizationId: z
    .string({ error: 'choose an organization' })
    .check(
      z.maxLength(MAX_ORGANIZATION_ID_LENGTH, 'that is not an organization id'),
      z.regex(/^org_[0-9A-Za-z]+$/, 'that is not an organization id'),
    ),
});

const NOT_A_MEMBER_MESSAGE = 'you cannot switch to that organization';

const notAMember = (cause?: unknown) =>
  new OrgkitError('forbidden', NOT_A_MEMBER_MESSAGE, {
    reason: 'not_a_member',
    ...(cause === undefined ? {} : { cause }),
  });

const unavailable = (cause?: unknown, reason?: string) =>
  new OrgkitError('upstream_unavailable', 'switching organization is unavailable; try again', {
    ...(cause === undefined ? {} : { cause }),
    ...(reason ? { reason } : {}),
  });

const rateLimited = (cause: unknown, retryAfter: unknown) =>
  new OrgkitError('rate_limited', 'too many attempts; wait a moment and try again', {
    cause,
    reason: 'workos_rate_limited',
    ...(typeof retryAfter === 'number' ? { details: { retryAfterSeconds: retryAfter } } : {}),
  });

// A thrown SDK error: WorkOS refusing the organization (4xx) is "not a member"; a refused API
// key is the operator's to fix and an outage no one's, so both are "unavailable".
function workosError(cause: unknown): OrgkitError {
  const status = statusOf(cause);
  if (status === 429) return rateLimited(cause, (cause as { retryAfter?: unknown }).retryAfter);
  if (status === 401) return unavailable(cause, 'workos_unauthorized');
  if (typeof status === 'number' && status >= 400 && status < 500) return notAMember(cause);
  return unavailable(cause);
}

interface RefreshFailure {
  authenticated: false;
  reason?: string;
  retryable?: boolean;
  retryAfter?: number;
  error?: unknown;
}

type RefreshResult =
  | { authenticated: true; sealedSession?: string; session?: { accessToken?: string } }
  | RefreshFailure;

// The SDK turns some refusals into a result rather than an exception.
function refreshFailure(result: RefreshFailure): OrgkitError {
  if (result.reason === 'rate_limit_exceeded') return rateLimited(result.error, result.retryAfter);
  if (result.retryable) return unavailable(result.error);
  if (result.reason === 'mfa_enrollment' || result.reason === 'sso_required') {
    return new OrgkitError(
      'unauthenticated',
      'that organization needs you to sign in again through the main sign-in page',
      { reason: 'further_step_required', details: { workosCode: result.reason } },
    );
  }
  // `invalid_grant`, `invalid_session_cookie`: the refresh token is spent, the session is over.
  return new OrgkitError('unauthenticated', 'the session has ended; sign in again', {
    reason: 'session_ended',
  });
}

const NO_SESSION = () =>
  new OrgkitError('unauthenticated', 'sign in to switch organization', { reason: 'no_session' });

/**
 * Moves the signed-in user's sealed session into another of their organizations (an organization
 * switcher): the session must be an active member's, checked with WorkOS before the refresh
 * token is spent, then WorkOS issues a session for that organization and it is verified like any
 * other. A cross-site state-changing request carrying the cookie is refused, as sign-out does.
 * @internal
 */
export function createOrganizationSwitch(
  o: ParsedSessionOptions,
  sessions: SealedSessionReader,
  { trustedOrigins, report }: AuthRouteContext,
  verify: (token: string) => Promise<Session>,
) {
  const um = o.workos.userManagement;

  const failed = (error: OrgkitError, setCookie?: string): SwitchOrganizationResult => {
    const response = errorResponse(error);
    if (setCookie) response.headers.append('set-cookie', setCookie);
    return {
      ok: false,
      error,
      // Only the codes listed on the result are made here, and each maps to one of these statuses.
      status: HTTP_STATUS_BY_CODE[error.code] as 400 | 401 | 403 | 429 | 503,
      response,
      setCookie,
    };
  };

  async function isActiveMember(userId: string, organizationId: string): Promise<boolean> {
    const page = await um.listOrganizationMemberships({ userId, organizationId });
    return page.data.some(
      (m: { organizationId?: string; status?: string }) =>
        m.organizationId === organizationId && m.status === 'active',
    );
  }

  return async function switchOrganization(
    request: AuthRouteRequest,
    input: SwitchOrganizationInput,
  ): Promise<SwitchOrganizationResult> {
    if (readCookie(request.headers, o.cookieName)) {
      const refusal = crossSiteRefusal({
        method: request.method ?? 'GET',
        headers: request.headers,
        trustedOrigins,
      });
      if (refusal) return failed(refusal);
    }
    const parsed = safeParse(inputSchema, input ?? {});
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? 'choose an organization';
      return failed(
        new OrgkitError('invalid_input', message, {
          reason: 'invalid_organization_id',
          details: { key: 'organizationId' },
        }),
      );
    }
    const { organizationId } = parsed.data;

    // The cookie as the request's own authentication reads it (refreshed when expired, and that
    // refresh shared with the middleware's), so the switch spends the newest refresh token.
    const current = await sessions.read(request.headers);
    if (!current.session || !current.sealedSession) {
      const rejection = current.rejection;
      const error =
        rejection &&
        (rejection.code === 'unauthenticated' || rejection.code === 'upstream_unavailable')
          ? rejection
          : NO_SESSION();
      return failed(error, current.setCookie);
    }

    try {
      if (!(await isActiveMember(current.session.userId, organizationId))) {
        return failed(notAMember(), current.setCookie);
      }
    } catch (cause) {
      const error = workosError(cause);
      if (error.reason === 'workos_unauthorized') report(error);
      return failed(error, current.setCookie);
    }

    let result: RefreshResult;
    try {
      result = (await um
        .loadSealedSession({ sessionData: current.sealedSession, cookiePassword: o.cookiePassword })
        .refresh({ cookiePassword: o.cookiePassword, organizationId })) as RefreshResult;
    } catch (cause) {
      const error = workosError(cause);
      if (error.reason === 'workos_unauthorized') report(error);
      return failed(error, current.setCookie);
    }
    if (!result.authenticated) {
      const error = refreshFailure(result);
      // WorkOS no longer honours the cookie's refresh token: the cookie can never work again.
      return failed(
        error,
        error.reason === 'session_ended' ? sessions.cleared(request.headers) : current.setCookie,
      );
    }
    const accessToken = result.session?.accessToken;
    if (!result.sealedSession || typeof accessToken !== 'string') {
      const error = unavailable(undefined, 'no_sealed_session');
      report(error);
      return failed(error, current.setCookie);
    }
    const setCookie = sessions.cookie(result.sealedSession, request.headers);
    let session: Session;
    try {
      session = await verify(accessToken);
    } catch (cause) {
      // WorkOS issued it moments ago: a token orgkit cannot verify is a configuration fault.
      const error = unavailable(cause, 'session_not_verified');
      report(error);
      return failed(error, setCookie);
    }
    // WorkOS answered with a session in some other organization: the user is not in this one.
    if (session.organizationId !== organizationId) return failed(notAMember(), setCookie);
    return {
      ok: true,
      organizationId,
      previousOrganizationId: current.session.organizationId,
      session,
      setCookie,
    };
  };
}
