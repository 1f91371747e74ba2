// Cookie sessions through each framework, over real HTTP against the WorkOS emulator with the real
// @workos-inc/node client: cross-site (CSRF) refusal of state-changing requests that carry the
// session cookie, the cookie's attributes on localhost and on a public host, and sign-out that
// revokes the WorkOS session.
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { CONTRACT_APPS, cookieOf, setupSigningEmulator } from './emulator-sessions.js';
import type { ServedApp } from './servers.js';
import { signInAsBillingAdmin, type TestOrgkit } from './support.js';

const clientId = 'client_orgkit_cookie_security';
const password = 'correct horse battery staple';
const TRUSTED = 'https://admin.example.com';

// Per test: answer session revocations with a 500; the session ids WorkOS was asked to revoke.
let failRevoke = false;
let revoked: string[] = [];

const signing = setupSigningEmulator(clientId, (url, body) => {
  if (!url.endsWith('/user_management/sessions/revoke')) return undefined;
  revoked.push(body?.session_id as string);
  return failRevoke ? Response.json({ message: 'unavailable' }, { status: 500 }) : undefined;
});
const { workos } = signing;

/**
 * A request with headers `fetch` will not send as given (`Host`), through node:http; answered as
 * a Web `Response`.
 */
function rawRequest(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: init.headers,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : [value ?? '']) headers.append(name, v);
        }
        const status = res.statusCode ?? 500;
        const body = chunks.length > 0 && status !== 204 ? Buffer.concat(chunks) : null;
        resolve(new Response(body, { status, headers }));
      });
    });
    req.end();
  });
}

/** The attributes of a `Set-Cookie` line, names lower-cased, without its `name=value`. */
function attributesOf(line: string) {
  return line
    .split(';')
    .slice(1)
    .map((part) => part.trim().split('=')[0]!.toLowerCase());
}

describe.each(DATABASE_TARGETS)('cookie sessions on $name', (target) => {
  describe.each(CONTRACT_APPS)('$name', ({ serve }) => {
    let database: TestDatabase;
    let orgkit: TestOrgkit;
    let app: ServedApp;
    let unexpected: unknown[];

    beforeEach(async () => {
      signing.reset();
      failRevoke = false;
      revoked = [];
      unexpected = [];
      database = await openTestDatabase(target);
      orgkit = signing.openOrgkit(database);
      app = await serve(orgkit, (base) => ({
        signInUrl: '/auth/sign-in',
        trustedOrigins: [TRUSTED],
        onUnexpectedError: (error) => unexpected.push(error),
        session: signing.sessionOptions(base),
      }));
    });
    afterEach(async () => {
      await app?.close();
      await orgkit?.close();
      await database?.close();
    });

    /** The browser's part of sign-in, every request sent with `headers` (e.g. another `Host`). */
    async function signIn(email: string, headers: Record<string, string> = {}) {
      const start = await rawRequest(
        app.base,
        `/auth/sign-in?login_hint=${encodeURIComponent(email)}`,
        { headers },
      );
      expect(start.status).toBe(302);
      const state = cookieOf(start, 'orgkit-auth-state')!;
      // The emulator's AuthKit signs the hinted user in at once and redirects back with a code.
      const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
      const callback = new URL(authorize.headers.get('location')!);
      const done = await rawRequest(app.base, callback.pathname + callback.search, {
        headers: { ...headers, cookie: state.pair },
      });
      expect(done.status).toBe(302);
      return { start, done, state, session: cookieOf(done, 'wos-session')! };
    }

    const eventsOf = async (action: string) => {
      const events: AuditEvent[] = [];
      for await (const event of orgkit.exportAuditEvents({ action })) events.push(event);
      return events;
    };

    const post = (path: string, headers: Record<string, string>) =>
      app.request(path, { method: 'POST', redirect: 'manual', headers });

    it('refuses a cross-site POST carrying the session cookie with 403, records it, and changes nothing', async () => {
      const user = await workos().userManagement.createUser({ email: 'ada@example.com', password });
      const { session } = await signIn('ada@example.com');
      const forged: Record<string, string>[] = [
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        // An older browser: no Sec-Fetch-Site, an Origin naming another site.
        { origin: 'https://evil.example' },
        // A sandboxed frame or a redirect from another site.
        { origin: 'null' },
        // Sec-Fetch-Site decides when present, with or without an Origin.
        { 'sec-fetch-site': 'cross-site' },
        { origin: `http://${new URL(app.base).host}.evil.example`, 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of forged) {
        const res = await post('/api/meetings/m_forged', { ...headers, cookie: session.pair });
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(await res.json()).toMatchObject({
          error: { code: 'forbidden', reason: 'cross_site_request' },
        });
      }
      expect(await eventsOf('meeting.viewed')).toEqual([]);
      const denied = await eventsOf('access.denied');
      expect(denied).toHaveLength(forged.length);
      expect(denied[0]).toMatchObject({
        outcome: 'denied',
        actor: { userId: user.id },
        resourceId: 'POST /api/meetings/m_forged',
        metadata: { method: 'POST', path: '/api/meetings/m_forged', reason: 'cross_site_request' },
      });
    });

    it('lets same-origin, same-site, trusted and header-less POSTs and cross-site GETs through', async () => {
      await workos().userManagement.createUser({ email: 'grace@example.com', password });
      const { session } = await signIn('grace@example.com');
      const host = new URL(app.base).host;
      const allowed: Record<string, string>[] = [
        { origin: app.base, 'sec-fetch-site': 'same-origin' },
        { origin: 'https://www.example.com', 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'none' },
        { origin: TRUSTED, 'sec-fetch-site': 'cross-site' },
        // Without Sec-Fetch-Site: Origin names the request's own host, or a trusted origin.
        { origin: `http://${host}` },
        { origin: TRUSTED },
        // Neither header: not sent by a browser, so not a forgery.
        {},
      ];
      for (const [i, headers] of allowed.entries()) {
        const res = await post(`/api/meetings/m_${i}`, { ...headers, cookie: session.pair });
        expect(res.status, JSON.stringify(headers)).toBe(200);
      }
      const read = await app.request('/api/me', {
        headers: {
          origin: 'https://evil.example',
          'sec-fetch-site': 'cross-site',
          cookie: session.pair,
        },
      });
      expect(read.status).toBe(200);
      expect(await eventsOf('meeting.viewed')).toHaveLength(allowed.length);
      expect(await eventsOf('access.denied')).toEqual([]);
    });

    it('does not apply the cross-site check to a Bearer-token request', async () => {
      const scoped = await signInAsBillingAdmin(workos(), clientId, 'linus@example.com');
      const res = await post('/api/meetings/m_api', {
        authorization: `Bearer ${scoped.accessToken}`,
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      });
      expect(res.status).toBe(200);
      expect(await eventsOf('meeting.viewed')).toHaveLength(1);
    });

    it('refuses a cross-site POST whose expired cookie was refreshed, and still sends the new cookie', async () => {
      await workos().userManagement.createUser({ email: 'alan@example.com', password });
      signing.expireNextSignIn();
      const { session } = await signIn('alan@example.com');
      const res = await post('/api/meetings/m_refresh', {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
        cookie: session.pair,
      });
      expect(res.status).toBe(403);
      // WorkOS rotated the refresh token: without the new cookie the user would be signed out.
      const renewed = cookieOf(res, 'wos-session');
      expect(renewed?.pair).not.toBe(session.pair);
      expect((await app.request('/api/me', { headers: { cookie: renewed!.pair } })).status).toBe(
        200,
      );
      expect(await eventsOf('meeting.viewed')).toEqual([]);
    });

    it('sets HttpOnly, SameSite=Lax, Path=/ cookies, Secure except on localhost', async () => {
      await workos().userManagement.createUser({ email: 'ida@example.com', password });
      const hosts = [
        { host: new URL(app.base).host, secure: false },
        { host: `localhost:${new URL(app.base).port}`, secure: false },
        { host: 'app.example.com', secure: true },
        { host: 'localhost.example.com', secure: true },
      ];
      for (const { host, secure } of hosts) {
        const { start, done } = await signIn('ida@example.com', { host });
        const lines = [
          cookieOf(start, 'orgkit-auth-state')!.line,
          cookieOf(done, 'wos-session')!.line,
          cookieOf(done, 'orgkit-auth-state')!.line, // deleted after use
        ];
        for (const line of lines) {
          expect(line, host).toMatch(/; Path=\/(;|$)/);
          expect(line, host).toMatch(/; HttpOnly(;|$)/);
          expect(line, host).toMatch(/; SameSite=Lax(;|$)/);
          expect(attributesOf(line).includes('secure'), `${host}: ${line}`).toBe(secure);
        }
      }
    });

    it('signs out: revokes the WorkOS session and deletes the cookie, without the browser following the redirect', async () => {
      const user = await workos().userManagement.createUser({
        email: 'edsger@example.com',
        password,
      });
      const { session } = await signIn('edsger@example.com');
      const sessions = await workos().userManagement.listSessions(user.id);
      expect(sessions.data).toHaveLength(1);
      const sessionId = sessions.data[0]!.id;

      // The browser does not follow the logout redirect: the session must end all the same.
      const out = await post('/auth/sign-out', {
        origin: app.base,
        'sec-fetch-site': 'same-origin',
        cookie: session.pair,
      });
      expect(out.status).toBe(302);
      expect(new URL(out.headers.get('location')!).searchParams.get('session_id')).toBe(sessionId);
      expect(cookieOf(out, 'wos-session')?.line).toMatch(/Max-Age=0/);
      expect(revoked).toEqual([sessionId]);
      expect((await workos().userManagement.listSessions(user.id)).data).toEqual([]);

      // Not checked here: that a kept copy of the cookie can no longer be refreshed. Real WorkOS
      // ends a revoked session's refresh token; the emulator (workos 0.14.0) deletes the session
      // but keeps honouring its refresh token.
      expect(unexpected).toEqual([]);
    });

    it('refuses a cross-site sign-out and leaves the session alone', async () => {
      const user = await workos().userManagement.createUser({
        email: 'barbara@example.com',
        password,
      });
      const { session } = await signIn('barbara@example.com');
      const res = await post('/auth/sign-out', {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
        cookie: session.pair,
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { reason: 'cross_site_request' } });
      expect(cookieOf(res, 'wos-session')).toBeUndefined();
      expect(revoked).toEqual([]);
      expect((await workos().userManagement.listSessions(user.id)).data).toHaveLength(1);
    });

    it('still deletes the cookie and sends the browser to WorkOS logout when revocation fails', async () => {
      const user = await workos().userManagement.createUser({
        email: 'john@example.com',
        password,
      });
      const { session } = await signIn('john@example.com');
      failRevoke = true;
      const out = await post('/auth/sign-out', { cookie: session.pair });
      expect(out.status).toBe(302);
      const logout = new URL(out.headers.get('location')!);
      expect(logout.pathname).toBe('/user_management/sessions/logout');
      expect(cookieOf(out, 'wos-session')?.line).toMatch(/Max-Age=0/);
      expect(revoked).toHaveLength(1);
      expect(unexpected).toEqual([
        expect.objectContaining({
          code: 'upstream_unavailable',
          message: expect.stringContaining('revoke'),
        }),
      ]);
      // The logout URL WorkOS is sent to ends the session when the browser follows it.
      expect((await workos().userManagement.listSessions(user.id)).data).toHaveLength(1);
      await fetch(logout, { redirect: 'manual' });
      expect((await workos().userManagement.listSessions(user.id)).data).toEqual([]);
    });
  });
});
