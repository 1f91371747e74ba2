/**
 * How long to wait after failed attempt number `attempt` (1, 2, …): the delay doubles from
 * `baseDelayMs` up to `maxDelayMs`, and a random half of it is jitter so that many processes do
 * not retry in step. A 429's `Retry-After` is a floor.
 * @internal
 */
export function retryDelayMs(
  attempt: number,
  options: { baseDelayMs: number; maxDelayMs: number },
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const backoff = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(backoff, Math.ceil(retryAfterMs));
}
