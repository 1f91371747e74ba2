import { isOrgkitError } from '../errors/index.js';
import { ATTR, METRIC, type Recorder, SPAN } from '../telemetry/index.js';
import type { Session } from './types.js';

/**
 * One token verification in a span: whether the verified-token cache answered, whose session
 * it was (as the `ids` option allows), and its time in the verification histogram. The token
 * itself is never recorded.
 * @internal
 */
export function traceVerification(
  recorder: Recorder,
  cacheHit: boolean,
  verify: () => Promise<Session>,
): Promise<Session> {
  const startedAt = performance.now();
  return recorder.span(SPAN.verify, { [ATTR.cacheHit]: cacheHit }, (span) =>
    verify().then(
      (session) => {
        span.setAttributes(recorder.ids(session.userId, session.organizationId));
        recorder.seconds(METRIC.verifyDuration, startedAt, { [ATTR.outcome]: 'success' });
        return session;
      },
      (error: unknown) => {
        recorder.seconds(METRIC.verifyDuration, startedAt, {
          [ATTR.outcome]: 'failure',
          [ATTR.errorType]: isOrgkitError(error) ? error.code : 'internal',
        });
        throw error;
      },
    ),
  );
}
