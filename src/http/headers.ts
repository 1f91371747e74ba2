/** The part of `Headers` orgkit reads; Express's `req.get` and Hono's `c.req.raw.headers` fit. */
export interface HeadersLike {
  get(name: string): string | null | undefined;
}

/**
 * Node's parsed request headers (`req.headers`) as a {@link HeadersLike}, without building Web
 * `Headers`. A class, so wrapping a request allocates one small object and no closure.
 * @internal
 */
export class NodeHeaders implements HeadersLike {
  readonly #headers: Readonly<Record<string, string | string[] | undefined>>;

  constructor(headers: Readonly<Record<string, string | string[] | undefined>>) {
    this.#headers = headers;
  }

  get(name: string): string | undefined {
    const value = this.#headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/**
 * The credential of an `Authorization: Bearer …` header. Its shape is the verifier's to judge (a
 * malformed one is a 401 `malformed`, not an anonymous request); a regex over the whole header
 * here would cost more than the verified-token cache look-up that follows.
 * @internal
 */
export function readBearerToken(headers: HeadersLike): string | undefined {
  const value = headers.get('authorization');
  if (!value || value.length < 8) return undefined;
  // The scheme is case-insensitive; the usual spelling is checked without building a string.
  if (!value.startsWith('Bearer ') && value.slice(0, 7).toLowerCase() !== 'bearer ')
    return undefined;
  const token = value.slice(7).trim();
  return token.length > 0 ? token : undefined;
}

/** One cookie's value from the `Cookie` header (first match wins, as browsers send it). @internal */
export function readCookie(headers: HeadersLike, name: string): string | undefined {
  const header = headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Attributes of a cookie orgkit sets. */
export interface CookieAttributes {
  /**
   * `'auto'`: `Secure` unless the request's `Host` is `localhost`, `127.0.0.1` or `[::1]` (plain
   * HTTP in development); a request without a `Host` header gets `Secure`.
   * @default 'auto'
   */
  secure?: boolean | 'auto';
  /** @default 'lax' (the sign-in redirect back from WorkOS is a top-level GET) */
  sameSite?: 'lax' | 'strict';
  /** @default '/' */
  path?: string;
  domain?: string | undefined;
}

const LOCAL_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?$/i;

/**
 * Whether a cookie set in answer to a request with these headers gets `Secure`: always, unless the
 * setting is `false`, or `'auto'` and the request was addressed to this machine.
 * @internal
 */
export function cookieIsSecure(setting: boolean | 'auto', headers: HeadersLike): boolean {
  if (setting !== 'auto') return setting;
  const host = headers.get('host')?.trim();
  return !host || !LOCAL_HOST.test(host);
}

/**
 * A `Set-Cookie` value; always `HttpOnly`. `maxAge` 0 deletes the cookie. `secure: 'auto'` here
 * means `Secure` (resolve it per request with {@link cookieIsSecure}).
 * @internal
 */
export function serializeCookie(
  name: string,
  value: string,
  maxAgeSeconds: number,
  attributes: CookieAttributes = {},
): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${attributes.path ?? '/'}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    `SameSite=${attributes.sameSite === 'strict' ? 'Strict' : 'Lax'}`,
  ];
  if (maxAgeSeconds <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (attributes.domain) parts.push(`Domain=${attributes.domain}`);
  if (attributes.secure !== false) parts.push('Secure');
  return parts.join('; ');
}
