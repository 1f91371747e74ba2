import { describe, expect, it } from 'vitest';
import { OrgkitError } from '../../src/errors/index.js';
import { safeReturnTo } from '../../src/http/auth-routes.js';
import { createClientIpResolver, type TrustProxy } from '../../src/http/client-ip.js';
import { readBearerToken, readCookie, serializeCookie } from '../../src/http/headers.js';
import { errorPayload, errorReply } from '../../src/http/index.js';
import { requestIdFrom, userAgentFrom } from '../../src/http/request-id.js';

const headers = (values: Record<string, string>) => new Headers(values);

describe('client IP and trusted proxies', () => {
  const ip = (trust: TrustProxy, xff: string | undefined, remote: string | undefined) =>
    createClientIpResolver(trust)(headers(xff ? { 'x-forwarded-for': xff } : {}), remote);
  const chain = '198.51.100.1, 10.0.0.5, 10.0.0.9';

  it('trusts no proxy by default: X-Forwarded-For is the client’s to forge', () => {
    expect(ip(false, chain, '10.0.0.9')).toBe('10.0.0.9');
    expect(ip(0, chain, '10.0.0.9')).toBe('10.0.0.9');
  });

  it('walks a number of hops from the socket outwards', () => {
    expect(ip(1, chain, '10.0.0.1')).toBe('10.0.0.9');
    expect(ip(2, chain, '10.0.0.1')).toBe('10.0.0.5');
    expect(ip(3, chain, '10.0.0.1')).toBe('198.51.100.1');
    // More trusted hops than the header holds: the leftmost entry, never past it.
    expect(ip(9, chain, '10.0.0.1')).toBe('198.51.100.1');
  });

  it('trusts listed proxies and CIDR ranges, stopping at the first untrusted hop', () => {
    const trusted = ['10.0.0.0/8', '::1'];
    expect(ip(trusted, chain, '10.0.0.1')).toBe('198.51.100.1');
    // A client that prepends a fake entry is stopped at its own address.
    expect(ip(trusted, '1.2.3.4, 203.0.113.8, 10.0.0.5', '10.0.0.1')).toBe('203.0.113.8');
    // A peer outside the list is the client, whatever it claims.
    expect(ip(trusted, chain, '203.0.113.50')).toBe('203.0.113.50');
    expect(ip(trusted, '2001:db8::7', '::1')).toBe('2001:db8::7');
  });

  it('trusts every hop with `true`', () => {
    expect(ip(true, chain, '10.0.0.1')).toBe('198.51.100.1');
    expect(ip(true, undefined, '10.0.0.1')).toBe('10.0.0.1');
  });

  it('spells IPv4-mapped IPv6 peers as IPv4 and drops entries that are no IP', () => {
    expect(ip(false, undefined, '::ffff:192.0.2.4')).toBe('192.0.2.4');
    expect(ip(['127.0.0.1'], '192.0.2.4:5123', '::ffff:127.0.0.1')).toBe('192.0.2.4');
    expect(ip(1, '<script>', '127.0.0.1')).toBeUndefined();
    expect(ip(false, undefined, undefined)).toBeUndefined();
  });

  it('without a socket address (Next.js, edge) takes the platform proxy as the first hop', () => {
    expect(ip(false, chain, undefined)).toBeUndefined();
    expect(ip(1, chain, undefined)).toBe('10.0.0.9');
    expect(ip(2, chain, undefined)).toBe('10.0.0.5');
    expect(ip(['10.0.0.0/8'], chain, undefined)).toBe('198.51.100.1');
  });

  it('refuses a bad trust list when built, not per request', () => {
    expect(() => createClientIpResolver(['10.0.0.0/33'])).toThrowError(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => createClientIpResolver(['proxy.internal'])).toThrowError(/proxy\.internal/);
  });
});

describe('reading credentials and request metadata', () => {
  it('reads the Bearer credential and leaves other schemes alone', () => {
    expect(readBearerToken(headers({ authorization: 'Bearer a.b.c' }))).toBe('a.b.c');
    expect(readBearerToken(headers({ authorization: 'bearer   a.b-c_d' }))).toBe('a.b-c_d');
    expect(readBearerToken(headers({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeUndefined();
    expect(readBearerToken(headers({ authorization: 'Bearer ' }))).toBeUndefined();
    expect(readBearerToken(headers({}))).toBeUndefined();
    // A bearer that is no JWT is still a bearer: the verifier answers it with 401 `malformed`.
    expect(readBearerToken(headers({ authorization: 'Bearer not a jwt' }))).toBe('not a jwt');
  });

  it('reads one cookie out of many and serializes with secure flags', () => {
    const h = headers({ cookie: 'a=1; wos-session=Fe26.2%2A1; other="q"' });
    expect(readCookie(h, 'wos-session')).toBe('Fe26.2*1');
    expect(readCookie(h, 'other')).toBe('q');
    expect(readCookie(h, 'missing')).toBeUndefined();
    expect(serializeCookie('wos-session', 'v', 60)).toBe(
      'wos-session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure',
    );
    expect(serializeCookie('s', '', 0, { secure: false, sameSite: 'strict' })).toBe(
      's=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
  });

  it('keeps a sane incoming request id and replaces anything else', () => {
    expect(requestIdFrom(headers({ 'x-request-id': 'abc-123_x.y' }))).toBe('abc-123_x.y');
    expect(requestIdFrom(headers({ 'x-request-id': 'a'.repeat(200) }))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(headers({ 'x-request-id': '<img src=x>' }))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(headers({}))).not.toBe(requestIdFrom(headers({})));
    expect(userAgentFrom(headers({ 'user-agent': 'x'.repeat(2_000) }))).toHaveLength(512);
  });

  it('never redirects off-site after sign-in', () => {
    expect(safeReturnTo('/dashboard?tab=1')).toBe('/dashboard?tab=1');
    for (const bad of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      'javascript:x',
      '',
    ]) {
      expect(safeReturnTo(bad)).toBe('/');
    }
  });
});

describe('error replies', () => {
  it('maps orgkit codes through HTTP_STATUS_BY_CODE and keeps the stable shape', () => {
    expect(
      errorPayload(
        new OrgkitError('forbidden', 'no', { reason: 'missing_role', details: { x: 1 } }),
      ),
    ).toEqual({
      status: 403,
      body: { error: { code: 'forbidden', message: 'no', reason: 'missing_role' } },
    });
    expect(errorPayload(new OrgkitError('upstream_unavailable', 'down')).status).toBe(503);
    expect(
      errorReply(new OrgkitError('unauthenticated', 'x', { reason: 'no_session' })).headers,
    ).toMatchObject({ 'www-authenticate': 'Bearer', 'cache-control': 'no-store' });
  });

  it('turns any other error into a bare 500 that says nothing about it', () => {
    const error = new Error('password authentication failed for user "app" (secret=hunter2)');
    expect(errorPayload(error)).toEqual({
      status: 500,
      body: { error: { code: 'internal', message: 'internal server error' } },
    });
  });
});
