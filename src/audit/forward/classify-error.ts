/** Why one send failed, as the outbox records it. @internal */
export interface ForwardFailure {
  /** A code only (`http_503`, `rate_limited`, `timeout`, `network_econnreset`): never a message. */
  code: string;
  /**
   * `unavailable`: WorkOS could not take any event right now (429, 5xx, timeout, network, a
   * refused API key), so the run stops. `rejected`: WorkOS refused this event (400, 404, 422);
   * sending it again would be refused again.
   */
  kind: 'unavailable' | 'rejected';
  /** A 429's `Retry-After`, in ms. */
  retryAfterMs?: number;
}

const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/**
 * Classifies an error thrown by `workos.auditLogs.createEvent` (SDK 9–11) by its status and
 * cause chain, never by its message text.
 * @internal
 */
export function classifyForwardError(error: unknown): ForwardFailure {
  const status = field(error, 'status');
  if (typeof status === 'number') {
    if (status === 429) {
      // The SDK turns the Retry-After header into seconds, or null (an HTTP date gives NaN).
      const seconds = field(error, 'retryAfter');
      const retryAfterMs =
        typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
          ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS)
          : undefined;
      return {
        code: 'rate_limited',
        kind: 'unavailable',
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    if (status === 408) return { code: 'timeout', kind: 'unavailable' };
    if (status >= 500 || status === 401 || status === 403) {
      return { code: `http_${status}`, kind: 'unavailable' };
    }
    if (status >= 400) return { code: `http_${status}`, kind: 'rejected' };
  }
  for (const cause of causes(error)) {
    const name = field(cause, 'name');
    if (name === 'TimeoutError' || name === 'AbortError')
      return { code: 'timeout', kind: 'unavailable' };
    const code = field(cause, 'code');
    if (typeof code === 'string' && /^E[A-Z_]{2,30}$/.test(code)) {
      return { code: `network_${code.toLowerCase()}`, kind: 'unavailable' };
    }
  }
  if (causes(error).some((cause) => cause instanceof TypeError)) {
    return { code: 'network_error', kind: 'unavailable' };
  }
  return { code: 'unexpected_error', kind: 'unavailable' };
}
