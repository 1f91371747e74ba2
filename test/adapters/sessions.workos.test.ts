// Sign-in, sealed-session cookies, refresh and sign-out through each adapter, against the WorkOS
// emulator with the real @workos-inc/node client; and a real emulator-issued bearer token.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../src/testing/database.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { CONTRACT_APPS, cookieOf, setupSigningEmulator } from './emulator-sessions.js';
import type { ServedApp } from './servers.js';
import { signInAsBillingAdmin, type TestOrgkit } from './support.js';

const clientId = 'client_orgkit_adapter_sessions';
const password = 'correct horse battery staple';

const signing = setupSigningEmulator(clientId);
const { workos } = signing;

describe.each(DATABASE_TARGETS)('sessions on $name', (target) => {
  describe.each(CONTRACT_APPS)('$name', ({ serve }) => {
    let database: TestDatabase;
    let orgkit: TestOrgkit;
    let app: ServedApp;

    beforeEach(async () => {
      signing.reset();
      database = await openTestDatabase(target);
      orgkit = signing.openOrgkit(database);
      app = await serve(orgkit, (base) => ({
        signInUrl: '/auth/sign-in',
        session: signing.sessionOptions(base),
      }));
    });
    afterEach(async () => {
      await app?.close();
      await orgkit?.close();
      await database?.close();
    });

    /** Runs the browser's part of sign-in; returns the session cookie and where it landed. */
    async function signIn(email: string, returnTo = '/api/me') {
      const start = await app.request(
        `/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}&login_hint=${encodeURIComponent(email)}`,
        { redirect: 'manual' },
      );
      expect(start.status).toBe(302);
      const state = cookieOf(start, 'orgkit-auth-state');
      expect(state?.line).toMatch(/HttpOnly/);
      // The emulator's AuthKit signs the hinted user in at once and redirects back with a code.
      const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
      const callback = new URL(authorize.headers.get('location')!);
      expect(`${callback.origin}${callback.pathname}`).toBe(`${app.base}/auth/callback`);
      const done = await app.request(callback.pathname + callback.search, {
        redirect: 'manual',
        headers: { cookie: state!.pair },
      });
      return { done, session: cookieOf(done, 'wos-session'), callback };
    }

    it('signs in through AuthKit into a sealed, HttpOnly cookie, serves it, and signs out', async () => {
      const user = await workos().userManagement.createUser({ email: 'ada@example.com', password });
      const { done, session } = await signIn('ada@example.com', '/api/me?from=sign-in');
      expect(done.status).toBe(302);
      expect(done.headers.get('location')).toBe('/api/me?from=sign-in');
      expect(session?.line).toMatch(/; HttpOnly/);
      // Served on 127.0.0.1: plain HTTP in development, so not Secure (see cookie-security tests).
      expect(session?.line).not.toMatch(/; Secure/);
      expect(session?.line).toMatch(/; SameSite=Lax/);
      // Sealed (iron): neither the tokens nor the user's details are readable in the cookie.
      expect(decodeURIComponent(session!.pair)).toMatch(/^wos-session=Fe26\.2\*/);
      expect(session!.pair).not.toContain(user.id);
      expect(session!.pair).not.toContain('ada%40example.com');

      const me = await app.request('/api/me', { headers: { cookie: session!.pair } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ userId: user.id, scopeUserId: user.id });

      const out = await app.request('/auth/sign-out', {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session!.pair },
      });
      expect(out.status).toBe(302);
      const logout = new URL(out.headers.get('location')!);
      expect(logout.pathname).toBe('/user_management/sessions/logout');
      expect(logout.searchParams.get('session_id')).toMatch(/^session_/);
      expect(cookieOf(out, 'wos-session')?.line).toMatch(/Max-Age=0/);
    });

    it('refuses a callback whose state does not match the browser’s cookie', async () => {
      await workos().userManagement.createUser({ email: 'eve@example.com', password });
      const start = await app.request('/auth/sign-in?login_hint=eve%40example.com', {
        redirect: 'manual',
      });
      const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
      const callback = new URL(authorize.headers.get('location')!);
      // An attacker's callback link, opened in a browser that never started this sign-in.
      const res = await app.request(callback.pathname + callback.search, {
        redirect: 'manual',
        headers: { cookie: 'orgkit-auth-state=someone-else' },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { reason: 'state_mismatch' } });
      expect(cookieOf(res, 'wos-session')).toBeUndefined();
    });

    it('refuses a used or made-up callback code with 401 invalid_code and sets no session', async () => {
      await workos().userManagement.createUser({ email: 'cy@example.com', password });
      const { done, callback } = await signIn('cy@example.com');
      expect(done.status).toBe(302);
      const start = await app.request('/auth/sign-in', { redirect: 'manual' });
      const state = cookieOf(start, 'orgkit-auth-state')!;
      const nonce = decodeURIComponent(state.pair.split('=')[1]!);
      const replay = new URL(callback);
      replay.searchParams.set('state', `${nonce}.${Buffer.from('/').toString('base64url')}`);
      for (const code of [callback.searchParams.get('code')!, 'not-a-code-workos-issued']) {
        replay.searchParams.set('code', code);
        const res = await app.request(replay.pathname + replay.search, {
          redirect: 'manual',
          headers: { cookie: state.pair },
        });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: { reason: 'invalid_code' } });
        expect(cookieOf(res, 'wos-session')).toBeUndefined();
      }
    });

    it('refreshes an expired access token once for parallel requests and sets the new cookie', async () => {
      const user = await workos().userManagement.createUser({
        email: 'grace@example.com',
        password,
      });
      signing.expireNextSignIn();
      const { session } = await signIn('grace@example.com');
      const old = { headers: { cookie: session!.pair } };

      // WorkOS rotates refresh tokens: two refreshes of one cookie would end the session.
      const [a, b] = await Promise.all([app.request('/api/me', old), app.request('/api/me', old)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect((await a.json()).userId).toBe(user.id);
      expect((await b.json()).userId).toBe(user.id);
      const renewed = cookieOf(a, 'wos-session') ?? cookieOf(b, 'wos-session');
      expect(renewed?.line).toMatch(/HttpOnly/);
      expect(renewed?.pair).not.toBe(session!.pair);

      const next = await app.request('/api/me', { headers: { cookie: renewed!.pair } });
      expect(next.status).toBe(200);
      expect(cookieOf(next, 'wos-session')).toBeUndefined(); // fresh token: nothing to renew
    });

    it('deletes a tampered cookie and sends page routes to sign-in', async () => {
      const res = await app.request('/admin', {
        redirect: 'manual',
        headers: { cookie: 'wos-session=Fe26.2**forged**cookie~2' },
      });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/auth/sign-in?returnTo=%2Fadmin');
      expect(cookieOf(res, 'wos-session')?.line).toMatch(/Max-Age=0/);
    });

    it('accepts a real emulator-issued bearer token with an organization role and permission', async () => {
      const scoped = await signInAsBillingAdmin(workos(), clientId, 'linus@example.com');
      const user = scoped.user;
      const bearer = { headers: { authorization: `Bearer ${scoped.accessToken}` } };
      expect((await app.request('/api/billing', bearer)).status).toBe(200);
      expect((await app.request('/api/admin', bearer)).status).toBe(403);
      expect(await (await app.request('/api/me', bearer)).json()).toMatchObject({
        userId: user.id,
      });
    });
  });
});
