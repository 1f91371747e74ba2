import type { HeadersLike } from './headers.js';

// A proxy's or client's id is kept when it looks like one (so logs line up across services); a
// value that could smuggle newlines or markup into logs is replaced.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The request id: a sane incoming `X-Request-Id`, else a random UUID. @internal */
export function requestIdFrom(headers: HeadersLike): string {
  const incoming = headers.get('x-request-id');
  return incoming && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

const MAX_USER_AGENT = 512;

/** The `User-Agent`, capped so one request cannot put kilobytes into every audit row. @internal */
export function userAgentFrom(headers: HeadersLike): string | undefined {
  const value = headers.get('user-agent');
  return value ? value.slice(0, MAX_USER_AGENT) : undefined;
}
