import { OrgkitError } from '../errors/index.js';
import type { HeadersLike } from './headers.js';

/** What the cross-site check reads of a request. */
export interface CrossSiteRequest {
  method: string;
  headers: HeadersLike;
  /** Origins that may post to the app besides its own (`https://app.example.com`). */
  trustedOrigins: ReadonlySet<string>;
}

// Methods a browser may send cross-site without the page's consent, which must not change state.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// The host (and port) an `Origin` names; `undefined` for `null` and anything unparsable.
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser sent this state-changing request from another site (cross-site request
 * forgery), judged the way browsers let a server judge it without a token:
 *
 * - `GET`, `HEAD` and `OPTIONS` are never refused.
 * - `Sec-Fetch-Site` (every current browser sends it) decides when present: `same-origin`,
 *   `same-site` and `none` (typed in the address bar, a bookmark) pass; `cross-site` passes only
 *   from a trusted origin.
 * - Without it, `Origin` must name the request's own host (its `Host` header) or a trusted origin;
 *   `Origin: null` (a sandboxed frame, a cross-site redirect) is refused.
 * - With neither header the request did not come from a current browser, which is what CSRF needs,
 *   and passes.
 *
 * Pure: reads only what it is given.
 * @returns the `forbidden` error (reason `cross_site_request`) to answer, or `undefined`.
 * @internal
 */
export function crossSiteRefusal(request: CrossSiteRequest): OrgkitError | undefined {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
  const { headers, trustedOrigins } = request;
  const origin = headers.get('origin')?.trim();
  const trusted = origin !== undefined && trustedOrigins.has(origin.toLowerCase());
  const fetchSite = headers.get('sec-fetch-site')?.trim().toLowerCase();
  let allowed: boolean;
  if (fetchSite) {
    allowed =
      fetchSite === 'same-origin' || fetchSite === 'same-site' || fetchSite === 'none' || trusted;
  } else if (origin === undefined || origin === '') {
    allowed = true;
  } else {
    const host = headers.get('host')?.trim().toLowerCase();
    const originHost = hostOf(origin);
    allowed = trusted || (host !== undefined && host !== '' && originHost === host);
  }
  if (allowed) return undefined;
  return new OrgkitError(
    'forbidden',
    'this request came from another site and was refused (cross-site request forgery protection)',
    { reason: 'cross_site_request' },
  );
}

/**
 * The normalised set of origins from `trustedOrigins` and the sign-in callback URL (the app's own
 * origin as registered with WorkOS).
 * @internal
 */
export function originSet(origins: readonly string[], redirectUri: string | undefined) {
  const set = new Set(origins.map((o) => new URL(o).origin.toLowerCase()));
  if (redirectUri) set.add(new URL(redirectUri).origin.toLowerCase());
  return set;
}
