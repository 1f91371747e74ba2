// Magic-auth sign-in (email + code typed into the app's own form) through each adapter, over real
// HTTP against the WorkOS emulator with the real @workos-inc/node client: the ready form handler
// and the lower-level call an app renders its own error page with.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpAuthOptions } from '../../src/http/index.js';
import { createOrgkit } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { createFaultyFetch, type FaultRule } from '../../src/testing/fault-fetch.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import {
  cookieOf,
  COOKIE_PASSWORD as cookiePassword,
  formPost as form,
} from './emulator-sessions.js';
import { buildExpressMagicAuthApp, buildHonoMagicAuthApp } from './magic-auth-apps.js';
import { type ServedApp, serveHono, serveNode } from './servers.js';
import { accessControl, type TestOrgkit } from './support.js';

const clientId = 'client_orgkit_magic_auth';
const AUTHENTICATE = '/user_management/authenticate';

let emulator: WorkOSEmulator;
beforeAll(async () => {
  emulator = await startWorkOSEmulator({ clientId });
});
afterAll(() => emulator?.close());

type Serve = (orgkit: TestOrgkit, options: (base: string) => HttpAuthOptions) => Promise<ServedApp>;
const ADAPTERS: { name: string; serve: Serve }[] = [
  {
    name: 'express',
    serve: (orgkit, options) =>
      serveNode((base) => buildExpressMagicAuthApp(orgkit, options(base))),
  },
  {
    name: 'hono',
    serve: (orgkit, options) =>
      serveHono((base) => buildHonoMagicAuthApp(orgkit, options(base)) as never),
  },
];

// One target is enough: the database only backs orgkit's instance, no sign-in step writes to it.
const target = DATABASE_TARGETS[0] ?? { name: 'pglite', url: undefined };

describe.each(ADAPTERS)('magic-auth sign-in through $name', ({ serve }) => {
  let database: TestDatabase;
  let orgkit: TestOrgkit;
  let app: ServedApp;

  let reported: unknown[] = [];

  // An app whose WorkOS client answers the code exchange with `faults` (none by default).
  async function start(faults: FaultRule[] | typeof fetch = []) {
    await app?.close();
    const fetchFn = typeof faults === 'function' ? faults : createFaultyFetch({ faults });
    const workos = emulator.createClient({ fetchFn, maxRetries: 0 });
    app = await serve(orgkit, (base) => ({
      session: { workos, clientId, cookiePassword, redirectUri: `${base}/auth/callback` },
      onUnexpectedError: (error) => reported.push(error),
    }));
  }

  // WorkOS's own answer to the code exchange, replaced by `status` and `body`.
  const answerAuthenticate =
    (status: number, body: object): typeof fetch =>
    async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.endsWith(AUTHENTICATE)) return fetch(input, init);
      return Response.json(body, { status, headers: { 'x-request-id': 'req_test' } });
    };

  beforeEach(async () => {
    emulator.reset();
    reported = [];
    database = await openTestDatabase(target);
    const workos = emulator.createClient();
    orgkit = createOrgkit({
      database: database.db,
      accessControl,
      workos,
      clientId,
      session: { jwksUrl: workos.userManagement.getJwksUrl(clientId), issuers: [emulator.url] },
    });
    await start();
  });
  afterEach(async () => {
    await app?.close();
    await orgkit?.close();
    await database?.close();
  });

  /** A guest with a fresh code, the way `provisionMeetingGuest` leaves one. */
  async function guestWithCode(email = 'guest@example.com') {
    const workos = emulator.createClient();
    const user = await workos.userManagement.createUser({ email });
    const { code } = await workos.userManagement.createMagicAuth({ email });
    return { user, email, code: code as string };
  }

  it('signs in with the right code into a sealed, HttpOnly cookie the next request is authenticated by', async () => {
    const { user, email, code } = await guestWithCode();
    const res = await app.request('/auth/magic', form({ email, code, returnTo: '/bookings?x=1' }));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/bookings?x=1');
    const session = cookieOf(res);
    expect(session?.line).toMatch(/; HttpOnly/);
    expect(session?.line).toMatch(/; SameSite=Lax/);
    expect(decodeURIComponent(session!.pair)).toMatch(/^wos-session=Fe26\.2\*/);
    expect(session!.pair).not.toContain(code);

    const me = await app.request('/api/me', { headers: { cookie: session!.pair } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ userId: user.id });
    // Without the cookie the same route refuses: the cookie is what authenticated it.
    expect((await app.request('/api/me')).status).toBe(401);
  });

  it('accepts a code once: the same code again is refused', async () => {
    const { email, code } = await guestWithCode();
    expect((await app.request('/auth/magic', form({ email, code }))).status).toBe(302);
    const again = await app.request('/auth/magic', form({ email, code }));
    expect(again.status).toBe(401);
    expect(cookieOf(again)).toBeUndefined();
  });

  it('answers a wrong code with 401 invalid_code and no cookie', async () => {
    const { email, code } = await guestWithCode();
    const wrong = code === '000000' ? '111111' : '000000';
    const res = await app.request('/auth/magic', form({ email, code: wrong }));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: { code: 'unauthenticated', reason: 'invalid_code' },
    });
    expect(cookieOf(res)).toBeUndefined();
    // A right code for another email is as wrong.
    await guestWithCode('other@example.com');
    const mixed = await app.request('/auth/magic', form({ email: 'other@example.com', code }));
    expect(mixed.status).toBe(401);
    // A refused code is the visitor's mistake, not the operator's: nothing is reported (logged).
    expect(reported).toEqual([]);
  });

  it.each([
    ['a missing email', { code: '123456' }, 'email'],
    ['an email that is no address', { email: 'not-an-email', code: '123456' }, 'email'],
    ['an oversized email', { email: `${'a'.repeat(320)}@example.com`, code: '123456' }, 'email'],
    ['a missing code', { email: 'guest@example.com' }, 'code'],
    ['a 5-digit code', { email: 'guest@example.com', code: '12345' }, 'code'],
    ['a 7-digit code', { email: 'guest@example.com', code: '1234567' }, 'code'],
    ['a code with letters', { email: 'guest@example.com', code: '12a456' }, 'code'],
  ])('answers %s with 400 invalid_input naming the field', async (_case, fields, key) => {
    const res = await app.request('/auth/magic', form(fields));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.reason).toBe(key === 'email' ? 'invalid_email' : 'malformed_code');
    expect(cookieOf(res)).toBeUndefined();
  });

  it('refuses a body that is not a form, or too large to be one', async () => {
    const json = await app.request('/auth/magic', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'guest@example.com', code: '123456' }),
    });
    expect(json.status).toBe(400);
    expect((await json.json()).error.reason).toBe('unsupported_media_type');
    const huge = await app.request(
      '/auth/magic',
      form({ email: 'guest@example.com', code: '123456', pad: 'x'.repeat(20_000) }),
    );
    expect(huge.status).toBe(400);
    expect((await huge.json()).error.reason).toBe('body_too_large');
  });

  it('refuses a cross-site POST, with or without a session cookie (login CSRF)', async () => {
    const { email, code } = await guestWithCode();
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      const res = await app.request('/auth/magic', form({ email, code }, headers));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { reason: 'cross_site_request' } });
      expect(cookieOf(res)).toBeUndefined();
    }
    // The code was never spent: the same form from the app's own page signs in.
    const own = await app.request(
      '/auth/magic',
      form({ email, code }, { 'sec-fetch-site': 'same-origin', origin: app.base }),
    );
    expect(own.status).toBe(302);
  });

  it('never redirects off-site: an unsafe returnTo lands on /', async () => {
    for (const returnTo of ['//evil.example', '/\\evil.example', 'https://evil.example/x', 'x']) {
      emulator.reset();
      const { email, code } = await guestWithCode();
      const res = await app.request('/auth/magic', form({ email, code, returnTo }));
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/');
      expect(cookieOf(res)).toBeDefined();
    }
  });

  it('lets the app render a refused code on its own page, and redirects on success', async () => {
    const { user, email, code } = await guestWithCode();
    const wrong = await app.request('/guest/sign-in', form({ email, code: '999999' }));
    if (code !== '999999') {
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('content-type')).toMatch(/text\/html/);
      expect(await wrong.text()).toBe('<p role="alert">that code is wrong or has expired</p>');
    }
    const bad = await app.request('/guest/sign-in', form({ email: '', code }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe(
      '<p role="alert">enter the email address the code was sent to</p>',
    );

    const ok = await app.request('/guest/sign-in', form({ email, code }));
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/bookings');
    const me = await app.request('/api/me', { headers: { cookie: cookieOf(ok)!.pair } });
    expect(await me.json()).toEqual({ userId: user.id });
  });

  it('answers WorkOS rate limiting with 429 and Retry-After, and an outage with 503', async () => {
    const { email, code } = await guestWithCode();
    await start([{ fault: 'rate_limit', path: AUTHENTICATE, retryAfterSeconds: 7 }]);
    const limited = await app.request('/auth/magic', form({ email, code }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await limited.json()).error.code).toBe('rate_limited');

    await start([{ fault: 'service_unavailable', path: AUTHENTICATE }]);
    const down = await app.request('/auth/magic', form({ email, code }));
    expect(down.status).toBe(503);
    const body = await down.json();
    expect(body.error.code).toBe('upstream_unavailable');
    expect(JSON.stringify(body)).not.toContain(code);
    expect(cookieOf(down)).toBeUndefined();
  });

  it('tells an account that must sign in through AuthKit apart from a wrong code', async () => {
    const { email, code } = await guestWithCode();
    await start(
      answerAuthenticate(403, {
        code: 'organization_selection_required',
        message: 'The user must choose an organization to sign in to.',
        pending_authentication_token: 'pending_token_from_workos',
        organizations: [
          { id: 'org_1', name: 'One' },
          { id: 'org_2', name: 'Two' },
        ],
        user: { id: 'user_1', email },
      }),
    );
    const res = await app.request('/auth/magic', form({ email, code }));
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error.reason).toBe('further_step_required');
    expect(JSON.stringify(body)).not.toContain('pending_token_from_workos');
    expect(cookieOf(res)).toBeUndefined();
  });

  it('answers a refused API key as unavailable and reports it to the operator', async () => {
    const { email, code } = await guestWithCode();
    await start(answerAuthenticate(401, { message: 'Unauthorized' }));
    const res = await app.request('/auth/magic', form({ email, code }));
    expect(res.status).toBe(503);
    expect((await res.json()).error.reason).toBe('workos_unauthorized');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ code: 'upstream_unavailable' });
    expect(String((reported[0] as Error).message)).not.toContain(code);
    expect(String((reported[0] as Error).message)).not.toContain(email);
  });
});
