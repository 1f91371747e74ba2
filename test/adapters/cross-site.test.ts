// The shared cross-site (CSRF) check, over requests built the way browsers and other clients
// send them; the adapters' use of it is tested over HTTP in cookie-security.workos.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOrgkitError } from '../../src/errors/index.js';
import { crossSiteRefusal, originSet } from '../../src/http/cross-site.js';
import { cookieIsSecure } from '../../src/http/headers.js';
import { createHttpAuth } from '../../src/http/index.js';

const TRUSTED = 'https://admin.partner.example';
const trustedOrigins = originSet([TRUSTED], 'https://app.example.com/auth/callback');

/** Who sent the request, and from which page. */
type Sender = 'modern' | 'legacy' | 'non-browser';
type Initiator = 'same-origin' | 'same-site' | 'cross-site' | 'trusted' | 'address-bar';

const HOSTS = ['app.example.com', 'app.example.com:8443', '127.0.0.1:3000'];
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The headers a sender attaches for a page on `initiator` calling the app on `host`. */
function headersOf(sender: Sender, initiator: Initiator, host: string): Record<string, string> {
  const origin = {
    'same-origin': `https://${host}`,
    'same-site': 'https://www.example.com',
    'cross-site': 'https://evil.example',
    trusted: TRUSTED,
    'address-bar': undefined,
  }[initiator];
  const headers: Record<string, string> = { host };
  if (sender === 'non-browser') return headers;
  if (origin) headers.origin = origin;
  if (sender === 'modern') {
    headers['sec-fetch-site'] =
      initiator === 'address-bar' ? 'none' : initiator === 'trusted' ? 'cross-site' : initiator;
  }
  return headers;
}

/**
 * What must happen, from the scenario rather than the headers: only a browser sends cookies on a
 * page's behalf, so only a state-changing browser request from an untrusted other site is a
 * forgery. An older browser without Sec-Fetch-Site cannot tell a sibling subdomain from another
 * site, so there the same-site page is refused too.
 */
function mustRefuse(sender: Sender, initiator: Initiator, method: string) {
  if (['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase())) return false;
  if (sender === 'non-browser') return false;
  if (initiator === 'cross-site') return true;
  return sender === 'legacy' && initiator === 'same-site';
}

describe('crossSiteRefusal', () => {
  it('refuses exactly the state-changing browser requests from another, untrusted site', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Sender>('modern', 'legacy', 'non-browser'),
        fc.constantFrom<Initiator>(
          'same-origin',
          'same-site',
          'cross-site',
          'trusted',
          'address-bar',
        ),
        fc.constantFrom(...HOSTS),
        fc.constantFrom(...METHODS),
        fc.boolean(),
        (sender, initiator, host, method, lowerCase) => {
          const refusal = crossSiteRefusal({
            method: lowerCase ? method.toLowerCase() : method,
            headers: new Headers(headersOf(sender, initiator, host)),
            trustedOrigins,
          });
          expect(refusal !== undefined).toBe(mustRefuse(sender, initiator, method));
          if (refusal) {
            expect(refusal.code).toBe('forbidden');
            expect(refusal.reason).toBe('cross_site_request');
          }
        },
      ),
    );
  });

  it('answers any header values with a verdict, never an exception, and never refuses GET', () => {
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom('null', 'https://', '//evil', 'HTTPS://APP.EXAMPLE.COM', '\u0000', ' '),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...METHODS, 'get', 'Post', ''),
        fc.option(text, { nil: undefined }),
        fc.option(text, { nil: undefined }),
        fc.option(text, { nil: undefined }),
        (method, origin, fetchSite, host) => {
          const values = { origin, 'sec-fetch-site': fetchSite, host };
          const headers = { get: (name: string) => values[name as keyof typeof values] };
          const refusal = crossSiteRefusal({ method, headers, trustedOrigins });
          if (refusal) expect(isOrgkitError(refusal) && refusal.code === 'forbidden').toBe(true);
          if (method.toUpperCase() === 'GET') expect(refusal).toBeUndefined();
        },
      ),
    );
  });

  it('matches origins without regard to case or a default port, and refuses Origin: null', () => {
    const check = (h: Record<string, string>) =>
      crossSiteRefusal({ method: 'POST', headers: new Headers(h), trustedOrigins });
    expect(check({ origin: 'https://APP.example.com' })).toBeUndefined(); // the redirect URI's origin
    expect(check({ origin: 'https://admin.partner.example', host: 'x.test' })).toBeUndefined();
    expect(check({ origin: 'http://admin.partner.example', host: 'x.test' })).toBeDefined();
    expect(check({ origin: 'https://app.example.com.evil.example', host: 'x.test' })).toBeDefined();
    expect(check({ origin: 'null', host: 'app.example.com' })).toBeDefined();
    expect(check({ origin: 'https://x.test', host: 'X.TEST' })).toBeUndefined();
    expect(originSet(['https://A.example:443/path'], undefined)).toEqual(
      new Set(['https://a.example']),
    );
  });
});

describe('cookieIsSecure', () => {
  const secure = (host: string | undefined, setting: boolean | 'auto' = 'auto') =>
    cookieIsSecure(setting, new Headers(host === undefined ? {} : { host }));

  it('leaves Secure off only for requests addressed to this machine', () => {
    for (const host of [
      'localhost',
      'localhost:3000',
      '127.0.0.1',
      '127.0.0.1:5173',
      '[::1]:8080',
    ]) {
      expect(secure(host), host).toBe(false);
    }
    for (const host of [
      'app.example.com',
      'localhost.example.com',
      '127.0.0.1.nip.io',
      '10.0.0.1',
    ]) {
      expect(secure(host), host).toBe(true);
    }
    expect(secure(undefined)).toBe(true); // no Host: assume it is public
    expect(secure('localhost', true)).toBe(true);
    expect(secure('app.example.com', false)).toBe(false);
  });
});

describe('trustedOrigins and cookie.secure options', () => {
  const refusedWith = (options: unknown) => {
    try {
      createHttpAuth({} as never, options as never);
    } catch (error) {
      return isOrgkitError(error) ? `${error.code}: ${error.message}` : String(error);
    }
    return 'accepted';
  };

  it('names the bad option with invalid_config', () => {
    expect(refusedWith({ trustedOrigins: ['admin.example.com'] })).toMatch(
      /^invalid_config: orgkit adapter: trustedOrigins\.0: /,
    );
    expect(refusedWith({ trustedOrigins: ['ftp://admin.example.com'] })).toMatch(
      /^invalid_config: .*trustedOrigins\.0/,
    );
    expect(refusedWith({ trustedOrigins: 'https://admin.example.com' })).toMatch(
      /^invalid_config: .*trustedOrigins/,
    );
    const session = {
      workos: { userManagement: {} },
      clientId: 'client_1',
      cookiePassword: 'x'.repeat(32),
      redirectUri: 'https://app.example.com/auth/callback',
    };
    expect(refusedWith({ session: { ...session, cookie: { secure: 'sometimes' } } })).toMatch(
      /^invalid_config: .*session\.cookie\.secure/,
    );
  });
});
