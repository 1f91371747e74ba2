import { isOrgkitError, type OrgkitError } from '../errors/index.js';
import { upstreamError } from './upstream-error.js';

/** How WorkOS calls are retried. */
export interface RetryPolicy {
  /** Attempts per WorkOS call, the first included. */
  maxAttempts: number;
  /** First backoff ceiling for 5xx, timeouts and network errors; doubles per attempt. */
  baseDelayMs: number;
  /** Largest backoff ceiling. */
  maxDelayMs: number;
  /** A 429 whose `Retry-After` is longer than this fails at once instead of waiting. */
  maxRetryAfterMs: number;
}

/**
 * One `Retry-After` pause shared by every call of one provisioner: after a 429 all of them wait,
 * instead of each spending its own retries against a limit that is still closed.
 * @internal
 */
export class RateLimitGate {
  #openAt = 0;

  /** How long until the gate opens; 0 when it is open. */
  remainingMs(): number {
    return Math.max(0, this.#openAt - Date.now());
  }

  closeFor(ms: number): void {
    this.#openAt = Math.max(this.#openAt, Date.now() + ms);
  }
}

/** What to do after a failed attempt. @internal */
export type RetryDecision =
  | { retry: false; error: OrgkitError }
  | { retry: true; error: OrgkitError; delayMs: number; rateLimited: boolean };

const RETRYABLE = new Set(['rate_limited', 'timeout', 'server_error', 'network']);

/**
 * Decides whether a failed WorkOS call is worth another attempt: 429 after its `Retry-After`,
 * 5xx, timeouts and network errors after an exponential backoff with full jitter; anything else
 * (4xx, a refused API key) is final. `attempt` is 1-based.
 * @internal
 */
export function decideRetry(
  operation: string,
  cause: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  const error = upstreamError(operation, cause);
  if (
    !isOrgkitError(cause) &&
    error.code === 'upstream_unavailable' &&
    RETRYABLE.has(error.reason ?? '')
  ) {
    if (attempt >= policy.maxAttempts) return { retry: false, error };
    const retryAfterSeconds = error.details?.retryAfterSeconds;
    if (error.reason === 'rate_limited' && typeof retryAfterSeconds === 'number') {
      const delayMs = retryAfterSeconds * 1000;
      if (delayMs > policy.maxRetryAfterMs) return { retry: false, error };
      return { retry: true, error, delayMs, rateLimited: true };
    }
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return { retry: true, error, delayMs: Math.round(random() * ceiling), rateLimited: false };
  }
  return { retry: false, error };
}
