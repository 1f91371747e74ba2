import { isOrgkitError } from '../errors/index.js';
import { ATTR, METRIC, type Recorder, SPAN, type Telemetry } from '../telemetry/index.js';
import type { RequestAuth, RouteGuard } from './create-http-auth.js';

/** Why a guard refused: the error's reason (`missing_role`, `expired`…), else its code. */
const reasonOf = (error: unknown) =>
  isOrgkitError(error) ? (error.reason ?? error.code) : 'internal';

function decided(
  recorder: Recorder,
  span: Parameters<Parameters<Recorder['span']>[2]>[0],
  auth: RequestAuth,
  error: unknown,
) {
  const decision = {
    [ATTR.decision]: error === undefined ? 'allowed' : 'denied',
    [ATTR.reason]: error === undefined ? 'granted' : reasonOf(error),
  };
  span.setAttributes(decision);
  span.setAttributes(recorder.ids(auth.session?.userId, auth.session?.organizationId));
  if (recorder.clientIp && auth.scope.ipAddress) {
    span.setAttribute(ATTR.clientAddress, auth.scope.ipAddress);
  }
  recorder.count(METRIC.decisions, decision);
}

/**
 * A route guard whose every decision is a span (allowed or denied, and why) and a count in
 * `orgkit.access.decisions`. A denial is a decision, not a failure: the span's status stays
 * unset. An answer `checkNow` cannot give yet is recorded by the `check` that follows.
 * @internal
 */
export function traceGuard(guard: RouteGuard, telemetry: Telemetry): RouteGuard {
  return {
    ...guard,
    check(auth) {
      const recorder = telemetry.recorder();
      if (recorder === undefined) return guard.check(auth);
      return recorder
        .span(SPAN.guard, undefined, (span) =>
          guard.check(auth).then(
            () => decided(recorder, span, auth, undefined),
            (error: unknown) => {
              decided(recorder, span, auth, error);
              return error;
            },
          ),
        )
        .then((error) => {
          if (error !== undefined) throw error;
        });
    },
    checkNow(auth) {
      const recorder = telemetry.recorder();
      const answer = guard.checkNow(auth);
      if (recorder === undefined || answer === undefined) return answer;
      recorder.span(SPAN.guard, undefined, (span) =>
        decided(recorder, span, auth, answer === true ? undefined : answer),
      );
      return answer;
    },
  };
}
