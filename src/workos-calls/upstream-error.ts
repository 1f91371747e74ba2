import { isOrgkitError, OrgkitError } from '../errors/index.js';

interface ErrorFacts {
  status: number | undefined;
  retryAfter: number | undefined;
  timedOut: boolean;
}

// SDK exceptions carry `status` (and `retryAfter` on 429); network failures arrive wrapped as
// `Error('Unexpected error: …', { cause })`, so the cause chain is walked.
function factsOf(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { status: undefined, retryAfter: undefined, timedOut: false };
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as {
      status?: unknown;
      retryAfter?: unknown;
      name?: unknown;
      cause?: unknown;
    };
    if (facts.status === undefined && typeof e.status === 'number') facts.status = e.status;
    if (facts.retryAfter === undefined && typeof e.retryAfter === 'number') {
      facts.retryAfter = e.retryAfter;
    }
    if (e.name === 'TimeoutError' || e.name === 'AbortError') facts.timedOut = true;
    current = e.cause;
  }
  return facts;
}

/**
 * Turns a failed WorkOS call into a coded error: `upstream_unavailable` (with `reason`
 * `rate_limited`, `timeout`, `server_error`, `network` or `rejected`) or, when WorkOS refuses the
 * API key, `invalid_config`.
 * @internal
 */
export function upstreamError(operation: string, error: unknown): OrgkitError {
  if (isOrgkitError(error)) return error;
  const { status, retryAfter, timedOut } = factsOf(error);
  if (status === 401 || status === 403) {
    return new OrgkitError('invalid_config', `${operation}: workos: WorkOS refused the API key`, {
      cause: error,
      reason: 'workos_unauthorized',
      details: { key: 'workos', status },
    });
  }
  const reason =
    status === 429
      ? 'rate_limited'
      : status === 408 || timedOut
        ? 'timeout'
        : status !== undefined && status >= 500
          ? 'server_error'
          : status !== undefined
            ? 'rejected'
            : 'network';
  const details: Record<string, unknown> = {};
  if (status !== undefined) details.status = status;
  if (retryAfter !== undefined) details.retryAfterSeconds = retryAfter;
  return new OrgkitError(
    'upstream_unavailable',
    `${operation}: WorkOS request failed (${reason})`,
    {
      cause: error,
      reason,
      details,
    },
  );
}
