import * as z from 'zod/mini';
import { HTTP_STATUS_BY_CODE, OrgkitError, safeParse } from '../errors/index.js';
import {
  type AuthRouteContext,
  type AuthRouteRequest,
  redirect,
  safeReturnTo,
} from './auth-routes.js';
import { crossSiteRefusal } from './cross-site.js';
import { errorResponse } from './error-response.js';
import type { ParsedSessionOptions } from './options.js';
import type { SealedSessionReader } from './sealed-session.js';
import { countSignIn } from './session-metrics.js';
import { signInError } from './sign-in-error.js';

/**
 * What a magic-auth sign-in form sent. Validated by the sign-in itself, so raw form values
 * (`c.req.parseBody()`, `req.body`) may be passed as they are.
 */
export interface MagicAuthInput {
  /** The email address the code was sent to. */
  email?: unknown;
  /** The 6-digit code from the email; spaces around it are ignored. */
  code?: unknown;
  /** A same-site path to land on; anything else (`//evil.example`, a URL) becomes `/`. */
  returnTo?: unknown;
}

/** How a magic-auth sign-in ended. */
export type MagicAuthResult =
  | {
      ok: true;
      /** A `302` to `returnTo` that sets the sealed-session cookie. */
      response: Response;
      /** The WorkOS user now signed in. */
      userId: string;
      /** The organization the session was issued for, when WorkOS named one. */
      organizationId: string | undefined;
    }
  | {
      ok: false;
      /**
       * `invalid_input` (reason `invalid_email` or `malformed_code`; `details.key` names the
       * field), `forbidden` (reason `cross_site_request`), `unauthenticated` (reason
       * `invalid_code`: wrong, expired or used; or `further_step_required`: the account must sign
       * in through AuthKit, e.g. to choose an organization), `rate_limited` (with
       * `details.retryAfterSeconds` when WorkOS said) or `upstream_unavailable`. Its message is
       * written to be shown on the form.
       */
      error: OrgkitError;
      /** The HTTP status for `error`. */
      status: 400 | 401 | 403 | 429 | 503;
      /** The usual JSON error response, for an app that renders no page of its own. */
      response: Response;
    };

const MAX_EMAIL_LENGTH = 320;
const MAX_RETURN_TO_LENGTH = 2048;

// Messages are shown on the sign-in form, so they speak to the person filling it in.
const inputSchema = z.object({
  email: z.pipe(
    z
      .string({ error: 'enter the email address the code was sent to' })
      .check(z.trim(), z.maxLength(MAX_EMAIL_LENGTH, 'that email address is too long')),
    z.email({ error: 'enter the email address the code was sent to' }),
  ),
  code: z
    .string({ error: 'enter the 6-digit code from the email' })
    .check(z.trim(), z.regex(/^\d{6}$/, 'enter the 6-digit code from the email')),
  returnTo: z.catch(z.optional(z.string().check(z.maxLength(MAX_RETURN_TO_LENGTH))), undefined),
});

// `invalid_code` is kept for a code WorkOS refused; a code that cannot be one is `malformed_code`.
const REASON_BY_KEY: Record<string, string> = { email: 'invalid_email', code: 'malformed_code' };

function validate(input: MagicAuthInput) {
  const parsed = safeParse(inputSchema, input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue?.path[0] ?? 'email');
  return new OrgkitError('invalid_input', issue?.message ?? 'check the form and try again', {
    reason: REASON_BY_KEY[key] ?? 'invalid_input',
    details: { key },
  });
}

const failed = (error: OrgkitError): MagicAuthResult => ({
  ok: false,
  error,
  // Only the codes listed on `error` are made here, and each maps to one of these statuses.
  status: HTTP_STATUS_BY_CODE[error.code] as 400 | 401 | 403 | 429 | 503,
  response: errorResponse(error),
});

/**
 * Signs a user in with the email and magic-auth code they typed into the app's own form, into
 * the same sealed-session cookie AuthKit sign-in sets. Any cross-site request is refused, with a
 * session cookie or without: a page on another site must not sign a visitor into an account of
 * its choosing (login CSRF). Neither the code nor the email is logged.
 * @internal
 */
export function createMagicAuthSignIn(
  o: ParsedSessionOptions,
  sessions: SealedSessionReader,
  { trustedOrigins, report, telemetry }: AuthRouteContext,
) {
  const um = o.workos.userManagement;
  return async function signInWithMagicAuth(
    request: AuthRouteRequest,
    input: MagicAuthInput,
  ): Promise<MagicAuthResult> {
    // Judged as a POST whatever the method: signing in changes state.
    const refusal = crossSiteRefusal({ method: 'POST', headers: request.headers, trustedOrigins });
    if (refusal) return failed(refusal);
    const fields = validate(input);
    if (fields instanceof OrgkitError) return failed(fields);
    let result: { sealedSession?: string; user?: { id?: string }; organizationId?: string };
    try {
      result = await um.authenticateWithMagicAuth({
        clientId: o.clientId,
        email: fields.email,
        code: fields.code,
        ipAddress: request.ipAddress,
        userAgent: request.userAgent,
        session: { sealSession: true, cookiePassword: o.cookiePassword },
      });
    } catch (cause) {
      const error = signInError(cause);
      countSignIn(telemetry, 'magic_auth', error);
      // A refused API key is the operator's to fix: the person at the form only sees "unavailable".
      if (error.reason === 'workos_unauthorized') report(error);
      return failed(error);
    }
    if (!result.sealedSession || typeof result.user?.id !== 'string') {
      // An SDK that ignored `sealSession` (or a proxy that changed the answer): nothing to set.
      const error = new OrgkitError(
        'upstream_unavailable',
        'sign-in is unavailable; try again shortly',
        {
          reason: 'no_sealed_session',
        },
      );
      report(error);
      return failed(error);
    }
    countSignIn(telemetry, 'magic_auth');
    return {
      ok: true,
      response: redirect(safeReturnTo(fields.returnTo), [
        sessions.cookie(result.sealedSession, request.headers),
      ]),
      userId: result.user.id,
      organizationId: result.organizationId ?? undefined,
    };
  };
}
