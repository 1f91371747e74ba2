import type { RequestScopeStore } from '../context/index.js';
import { isOrgkitError, OrgkitError } from '../errors/index.js';

/**
 * What `guests.verifyHuman` is asked about: the challenge token the booking form sent (from
 * Turnstile, hCaptcha or reCAPTCHA) and the request it came with, as the request scope knows it.
 */
export interface HumanCheckRequest {
  /** The `humanToken` the call passed, e.g. the form's `cf-turnstile-response`; `undefined` if none. */
  token: string | undefined;
  /** The client IP after the adapter's `trustProxy` rule (the providers' `remoteip`). */
  ipAddress: string | undefined;
  userAgent: string | undefined;
  requestId: string | undefined;
  /** False for a call outside any request scope (a job or script). */
  inRequest: boolean;
}

/**
 * Decides whether a person, not a bot, is asking for a guest account: `true` lets provisioning
 * go on. Runs before any limit is counted and before anything is created.
 */
export type VerifyHuman = (request: HumanCheckRequest) => boolean | Promise<boolean>;

/** Runs the app's human check, if it has one. @internal */
export type HumanCheck = (what: string, token: string | undefined) => Promise<void>;

/**
 * Wraps `verifyHuman`: a `false` verdict is `forbidden` (`human_verification_failed`): the
 * request is understood and refused, and another try with the same token cannot succeed. A hook
 * that throws fails closed as `upstream_unavailable` (`human_verification_unavailable`), since the
 * provider, not the caller, is what failed; an `OrgkitError` it throws passes through.
 * @internal
 */
export function createHumanCheck(
  verifyHuman: VerifyHuman | undefined,
  scope: RequestScopeStore | undefined,
): HumanCheck {
  if (!verifyHuman) return async () => undefined;
  return async (what, token) => {
    const current = scope?.current();
    let verdict: unknown;
    try {
      verdict = await verifyHuman({
        token,
        ipAddress: current?.ipAddress,
        userAgent: current?.userAgent,
        requestId: current?.requestId,
        inRequest: current !== undefined,
      });
    } catch (error) {
      if (isOrgkitError(error)) throw error;
      throw new OrgkitError(
        'upstream_unavailable',
        `${what}: guests.verifyHuman failed; no guest was provisioned`,
        { reason: 'human_verification_unavailable', cause: error },
      );
    }
    if (verdict !== true) {
      throw new OrgkitError(
        'forbidden',
        `${what}: the human verification was not passed; no guest was provisioned`,
        { reason: 'human_verification_failed' },
      );
    }
  };
}
