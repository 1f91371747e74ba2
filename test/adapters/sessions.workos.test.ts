// Sign-in, sealed-session cookies, refresh and sign-out through each adapter, against the WorkOS
// emulator with the real @workos-inc/node client; and a real emulator-issued bearer token.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpAuthOptions } from '../../src/http/index.js';
import { createOrgkit } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { buildExpressApp } from './express-app.js';
import { buildHonoApp } from './hono-app.js';
import { type ServedApp, serveHono, serveNode } from './servers.js';
import { accessControl, EMULATOR_SEED, signInAsBillingAdmin, type TestOrgkit } from './support.js';

const clientId = 'client_orgkit_adapter_sessions';
const cookiePassword = 'a-test-cookie-password-of-32-chars-or-more';
const password = 'correct horse battery staple';

let emulator: WorkOSEmulator;
let tokens: TestTokenIssuer;
let jwks: ReturnType<typeof createServer>;
let jwksUrl: string;
// Set by a test that needs the next code exchange to hand out an already expired access token.
let expireNextSignIn = false;

// Only the access token of one code exchange is replaced, by one for the same user and session
// that expired two minutes ago: the emulator's tokens live an hour, and a refresh test cannot wait.
const fetchFn: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = String(input instanceof Request ? input.url : input);
  const grant = typeof init?.body === 'string' ? JSON.parse(init.body).grant_type : undefined;
  if (
    !expireNextSignIn ||
    !url.endsWith('/user_management/authenticate') ||
    grant !== 'authorization_code'
  ) {
    return response;
  }
  expireNextSignIn = false;
  const body = await response.json();
  const { sub, sid } = decodeJwt(body.access_token) as { sub?: string; sid?: string };
  body.access_token = await tokens.mint({ sub, sid }, { expiresIn: -120 });
  return Response.json(body, { status: response.status });
};

const workos = () => emulator.createClient({ fetchFn });

beforeAll(async () => {
  emulator = await startWorkOSEmulator({ seed: EMULATOR_SEED, clientId });
  tokens = await createTestTokenIssuer();
  // orgkit trusts the emulator's keys and the test issuer's (for the expired token above).
  const emulatorJwks = workos().userManagement.getJwksUrl(clientId);
  jwks = createServer(async (_req, res) => {
    const upstream = (await (await fetch(emulatorJwks)).json()) as { keys: unknown[] };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [...upstream.keys, ...tokens.jwks().keys] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
});
afterAll(async () => {
  await new Promise((resolve) => jwks?.close(resolve));
  await tokens?.close();
  await emulator?.close();
});

type Serve = (orgkit: TestOrgkit, options: (base: string) => HttpAuthOptions) => Promise<ServedApp>;
const ADAPTERS: { name: string; serve: Serve }[] = [
  {
    name: 'express',
    serve: (orgkit, options) => serveNode((base) => buildExpressApp(orgkit, options(base)).app),
  },
  {
    name: 'hono',
    serve: (orgkit, options) =>
      serveHono((base) => buildHonoApp(orgkit, options(base)).app as never),
  },
];

/** `name=value` of the cookie `name` a response sets, and its attributes. */
function cookieOf(response: Response, name: string) {
  const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line ? { pair: line.split(';')[0]!, line } : undefined;
}

describe.each(DATABASE_TARGETS)('sessions on $name', (target) => {
  describe.each(ADAPTERS)('$name', ({ serve }) => {
    let database: TestDatabase;
    let orgkit: TestOrgkit;
    let app: ServedApp;

    beforeEach(async () => {
      emulator.reset();
      expireNextSignIn = false;
      database = await openTestDatabase(target);
      orgkit = createOrgkit({
        database: database.db,
        accessControl,
        workos: workos(),
        clientId,
        session: { jwksUrl, issuers: [emulator.url, tokens.issuer] },
      });
      app = await serve(orgkit, (base) => ({
        signInUrl: '/auth/sign-in',
        session: {
          workos: workos(),
          clientId,
          cookiePassword,
          redirectUri: `${base}/auth/callback`,
        },
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
      expireNextSignIn = true;
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
