import { OrgkitError } from '../errors/index.js';
import { statusOf } from '../workos-calls/call.js';

// WorkOS's authentication errors for an account that needs a step a code form cannot take
// (https://workos.com/docs/reference/authkit/authentication-errors): the code itself was right.
const FURTHER_STEP_CODES = new Set([
  'email_verification_required',
  'mfa_enrollment',
  'mfa_challenge',
  'organization_selection_required',
  'sso_required',
  'organization_authentication_methods_required',
]);

// The SDK's `AuthenticationException` carries the code; older majors keep only the raw body.
function workosCodeOf(cause: unknown): unknown {
  const e = cause as { code?: unknown; rawData?: { code?: unknown } } | null;
  return e?.code ?? e?.rawData?.code;
}

/**
 * A failed code exchange (a magic-auth code typed into a form, or AuthKit's callback code) as the
 * error the user is shown. A 4xx is WorkOS refusing this code (wrong, expired, already used) and
 * the message never says which, so it tells a guesser nothing; a refused API key or an outage is
 * no fault of the code.
 * @internal
 */
export function signInError(
  cause: unknown,
  invalidCodeMessage = 'that code is wrong or has expired',
): OrgkitError {
  const status = statusOf(cause);
  if (status === 429) {
    const retryAfter = (cause as { retryAfter?: unknown }).retryAfter;
    return new OrgkitError('rate_limited', 'too many sign-in attempts; wait a moment', {
      cause,
      reason: 'workos_rate_limited',
      ...(typeof retryAfter === 'number' ? { details: { retryAfterSeconds: retryAfter } } : {}),
    });
  }
  // The SDK's `UnauthorizedException`: WorkOS refused the API key, which is no fault of the code.
  if (status === 401) {
    return new OrgkitError('upstream_unavailable', 'sign-in is unavailable; try again shortly', {
      cause,
      reason: 'workos_unauthorized',
    });
  }
  const workosCode = workosCodeOf(cause);
  if (typeof workosCode === 'string' && FURTHER_STEP_CODES.has(workosCode)) {
    return new OrgkitError(
      'unauthenticated',
      'this account cannot sign in with a code here; use the main sign-in page',
      { cause, reason: 'further_step_required', details: { workosCode } },
    );
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new OrgkitError('unauthenticated', invalidCodeMessage, {
      cause,
      reason: 'invalid_code',
    });
  }
  return new OrgkitError('upstream_unavailable', 'sign-in is unavailable; try again shortly', {
    cause,
  });
}
