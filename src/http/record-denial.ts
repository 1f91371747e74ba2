import { isOrgkitError, OrgkitError } from '../errors/index.js';
import { errorPayload } from './error-response.js';
import type { OrgkitCore } from './orgkit-core.js';

/** The request a denial answers: its method and its target (path and query, as received). */
export interface DeniedRequest {
  method: string;
  target: string;
}

/** What a denial is recorded in: the request's scope (user, organization, IP, user agent, id). */
export type DenialScope = Parameters<OrgkitCore['runWithRequestScope']>[0];

/** Records one refusal; resolves once the event is committed, or once its failure is reported. */
export type DenialRecorder = (
  error: unknown,
  scope: DenialScope,
  request: DeniedRequest | undefined,
) => Promise<void>;

const RECORDED: Promise<void> = Promise.resolve();
const MAX_RESOURCE_ID = 256;

// The query string is cut off: it may carry tokens, codes or patient data, and a redaction list
// can only guess at its keys. The path is what the route matched.
const pathOf = (target: string) => {
  const end = target.indexOf('?');
  return end === -1 ? target : target.slice(0, end);
};

function metadataOf(error: unknown, request: DeniedRequest | undefined) {
  const metadata: Record<string, unknown> = {};
  if (request) {
    metadata.method = request.method;
    metadata.path = pathOf(request.target);
  }
  if (isOrgkitError(error)) {
    if (error.reason) metadata.reason = error.reason;
    const missing = error.details?.missing;
    if (Array.isArray(missing)) metadata.missing = missing;
  }
  return metadata;
}

/**
 * Builds the one place every adapter records a 403 as `access.denied` (outcome `denied`), in the
 * request's scope so the event carries its user, organization, IP, user agent and request id.
 * Anything that is not a 403, a request without a session, or `audit.logDeniedRequests: false`
 * records nothing. A write that fails is reported through `report` and never turns the 403 into
 * a 500: the client is refused either way.
 * @internal
 */
export function createDenialRecorder(
  orgkit: OrgkitCore<any>,
  report: (error: unknown) => void,
): DenialRecorder {
  if (!orgkit.logsDeniedRequests) return () => RECORDED;
  return (error, scope, request) => {
    if (!scope.session || errorPayload(error).status !== 403) return RECORDED;
    const metadata = metadataOf(error, request);
    const resourceId = request
      ? `${request.method} ${metadata.path as string}`.slice(0, MAX_RESOURCE_ID)
      : null;
    return orgkit
      .runWithRequestScope(scope, () =>
        orgkit.logAuditEvent('access.denied', 'request', resourceId, null, metadata, {
          outcome: 'denied',
        }),
      )
      .then(
        () => undefined,
        (cause: unknown) => {
          try {
            report(
              new OrgkitError(
                'internal',
                'a denied request could not be recorded in the audit log (access.denied); the 403 was still sent',
                { cause },
              ),
            );
          } catch {
            // A reporter that throws must not cost the client its answer.
          }
        },
      );
  };
}
