// Switching a signed-in user's sealed session into another organization (an organization
// switcher) through each adapter, over real HTTP against the WorkOS emulator with the real
// @workos-inc/node client. The emulator issues a session for any organization asked for; orgkit
// checks the membership with WorkOS first, so a non-member is refused here as WorkOS refuses it.

import { sql } from 'drizzle-orm';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExpressAuth } from '../../src/adapters/express/index.js';
import { createHonoAuth, type OrgkitEnv } from '../../src/adapters/hono/index.js';
import { rowsOf } from '../../src/db/database.js';
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
import { type ServedApp, serveHono, serveNode } from './servers.js';
import { accessControl, EMULATOR_SEED, type TestOrgkit } from './support.js';

const clientId = 'client_orgkit_switch_organization';
const AUTHENTICATE = '/user_management/authenticate';
const MEMBERSHIPS = '/user_management/organization_memberships';

// What every test app answers a refused switch with: the error as the app's page would show it.
interface Refusal {
  status: number;
  code: string;
  reason: string | undefined;
  message: string;
}

/**
 * The switch as a Hono app writes it: magic-auth sign-in, `POST /organization` (before the
 * middleware, so the switch's own cross-site check is what answers), and `/api/me` behind it.
 */
function buildHonoApp(orgkit: TestOrgkit, options: HttpAuthOptions) {
  const auth = createHonoAuth(orgkit, options);
  const app = new Hono<OrgkitEnv<TestOrgkit>>();
  app.onError(auth.onError);
  app.post('/auth/magic', auth.magicAuth());
  app.post('/organization', async (c) => {
    const form = await c.req.parseBody();
    const result = await auth.switchOrganization(c, { organizationId: form.organizationId });
    if (result.ok) return c.redirect(`/switched?to=${result.session.organizationId}`, 303);
    return result.response;
  });
  app.use(auth.middleware());
  app.get('/api/me', auth.requireAuth(), (c) => {
    const s = c.var.session!;
    return c.json({ userId: s.userId, organizationId: s.organizationId ?? null, role: s.role });
  });
  return app;
}

/** The same app in Express; a refusal is rendered by the app (here as JSON). */
function buildExpressApp(orgkit: TestOrgkit, options: HttpAuthOptions) {
  const auth = createExpressAuth(orgkit, options);
  const app = express();
  app.post('/auth/magic', auth.magicAuth());
  app.post('/organization', express.urlencoded({ extended: false }), async (req, res) => {
    const result = await auth.switchOrganization(req, res, {
      organizationId: req.body?.organizationId,
    });
    if (result.ok) return res.redirect(303, `/switched?to=${result.session.organizationId}`);
    const { code, reason, message } = result.error;
    res.status(result.status).json({ error: { code, reason, message } });
  });
  app.use(auth.express());
  app.get('/api/me', auth.requireAuth(), (req, res) => {
    const s = req.auth!.session!;
    res.json({ userId: s.userId, organizationId: s.organizationId ?? null, role: s.role });
  });
  app.use(auth.errorHandler());
  return app;
}

type Serve = (orgkit: TestOrgkit, options: HttpAuthOptions) => Promise<ServedApp>;
const ADAPTERS: { name: string; serve: Serve }[] = [
  { name: 'express', serve: (orgkit, o) => serveNode(() => buildExpressApp(orgkit, o)) },
  { name: 'hono', serve: (orgkit, o) => serveHono(() => buildHonoApp(orgkit, o) as never) },
];

let emulator: WorkOSEmulator;
beforeAll(async () => {
  emulator = await startWorkOSEmulator({ clientId, seed: EMULATOR_SEED });
});
afterAll(() => emulator?.close());

// One target is enough: the database only backs orgkit's instance, the switch writes nothing.
const target = DATABASE_TARGETS[0] ?? { name: 'pglite', url: undefined };

describe.each(ADAPTERS)('switchOrganization through $name', ({ serve }) => {
  let database: TestDatabase;
  let orgkit: TestOrgkit;
  let app: ServedApp;
  let reported: unknown[] = [];

  // An app whose WorkOS client answers with `faults` (none by default). Cookies carry over: they
  // are sealed with the same password.
  async function start(faults: FaultRule[] | typeof fetch = []) {
    await app?.close();
    const fetchFn = typeof faults === 'function' ? faults : createFaultyFetch({ faults });
    const workos = emulator.createClient({ fetchFn, maxRetries: 0 });
    app = await serve(orgkit, {
      session: { workos, clientId, cookiePassword, redirectUri: 'http://127.0.0.1/auth/callback' },
      onUnexpectedError: (error) => reported.push(error),
    });
  }

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

  /**
   * A user who is a billing admin of one organization and a member of a second, signed in with a
   * magic-auth code (the emulator issues that session without an organization), and a third
   * organization they are not in.
   */
  async function signedInMember() {
    const workos = emulator.createClient();
    const um = workos.userManagement;
    const user = await um.createUser({ email: 'member@example.com' });
    const billing = await workos.organizations.createOrganization({ name: 'Harbor' });
    const second = await workos.organizations.createOrganization({ name: 'Northwind' });
    const elsewhere = await workos.organizations.createOrganization({ name: 'Elsewhere' });
    await um.createOrganizationMembership({
      userId: user.id,
      organizationId: billing.id,
      roleSlug: 'billing_admin',
    });
    await um.createOrganizationMembership({ userId: user.id, organizationId: second.id });
    const { code } = await um.createMagicAuth({ email: user.email });
    const signIn = await app.request('/auth/magic', form({ email: user.email, code: code! }));
    expect(signIn.status).toBe(302);
    const cookie = cookieOf(signIn)!.pair;
    return { user, billing, second, elsewhere, cookie };
  }

  const me = async (cookie: string) => {
    const res = await app.request('/api/me', { headers: { cookie } });
    return { status: res.status, body: res.status === 200 ? await res.json() : undefined };
  };

  const switchTo = (
    organizationId: string,
    cookie?: string,
    headers: Record<string, string> = {},
  ) =>
    app.request(
      '/organization',
      form(
        { organizationId },
        { 'user-agent': 'switch-test', ...(cookie ? { cookie } : {}), ...headers },
      ),
    );

  /** The `session.organization_switched` events, oldest first, as the audit log holds them. */
  async function switchEvents() {
    const events = [];
    for (const organizationId of await organizationsWithEvents()) {
      const page = await orgkit.queryAuditEvents({ organizationId, limit: 100 } as never);
      events.push(...page.events.filter((e) => e.action === 'session.organization_switched'));
    }
    return events
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())
      .map((e) => ({
        actor: e.actor,
        organizationId: e.organizationId,
        from: e.changes.oldValues?.organizationId,
        to: e.changes.newValues?.organizationId,
        userAgent: e.userAgent,
      }));
  }

  async function organizationsWithEvents(): Promise<string[]> {
    const rows = await database.db.execute(
      sql`SELECT DISTINCT workos_org_id FROM audit_logs WHERE workos_org_id IS NOT NULL`,
    );
    return rowsOf<{ workos_org_id: string }>(rows).map((r) => r.workos_org_id);
  }

  async function refusalOf(res: Response): Promise<Refusal> {
    const { error } = (await res.json()) as { error: Omit<Refusal, 'status'> };
    return { status: res.status, code: error.code, reason: error.reason, message: error.message };
  }

  it('moves a member into the organization: a new cookie whose session has its id and role', async () => {
    const { user, billing, second, cookie } = await signedInMember();
    expect((await me(cookie)).body).toEqual({ userId: user.id, organizationId: null });

    const res = await switchTo(billing.id, cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/switched?to=${billing.id}`);
    const switched = cookieOf(res);
    expect(switched?.line).toMatch(/; HttpOnly/);
    expect(switched?.pair).not.toBe(cookie);
    expect((await me(switched!.pair)).body).toEqual({
      userId: user.id,
      organizationId: billing.id,
      role: 'billing_admin',
    });

    // And on into the second organization, with that membership's role.
    const again = await switchTo(second.id, switched!.pair);
    expect(again.status).toBe(303);
    const next = cookieOf(again)!.pair;
    expect((await me(next)).body).toEqual({
      userId: user.id,
      organizationId: second.id,
      role: 'member',
    });
    expect(reported).toEqual([]);

    // Each switch is in the audit log: who, from where to where, with the request's user agent.
    const trail = await switchEvents();
    expect(trail).toEqual([
      {
        actor: { userId: user.id },
        organizationId: billing.id,
        from: null,
        to: billing.id,
        userAgent: 'switch-test',
      },
      {
        actor: { userId: user.id },
        organizationId: second.id,
        from: billing.id,
        to: second.id,
        userAgent: 'switch-test',
      },
    ]);
  });

  it('refuses an organization the user is not in, or one that does not exist, alike and without touching the cookie', async () => {
    const { billing, elsewhere, cookie } = await signedInMember();
    const notIn = await switchTo(elsewhere.id, cookie);
    expect(cookieOf(notIn)).toBeUndefined();
    const refusal = await refusalOf(notIn);
    expect(refusal).toMatchObject({ status: 403, code: 'forbidden', reason: 'not_a_member' });

    const unknown = await switchTo('org_01JZZZZZZZZZZZZZZZZZZZZZZZ', cookie);
    expect(cookieOf(unknown)).toBeUndefined();
    // Same status, reason and words: the answer does not say whether the organization exists.
    expect(await refusalOf(unknown)).toEqual(refusal);
    expect(refusal.message).not.toContain(elsewhere.id);

    // The refresh token was never spent: the same cookie still works and can still switch.
    expect((await me(cookie)).status).toBe(200);
    expect(await switchEvents()).toEqual([]); // refusals record no switch
    expect((await switchTo(billing.id, cookie)).status).toBe(303);
  });

  it('refuses a membership that is no longer active', async () => {
    const { user, billing, cookie } = await signedInMember();
    const um = emulator.createClient().userManagement;
    const { data } = await um.listOrganizationMemberships({
      userId: user.id,
      organizationId: billing.id,
    });
    await um.deactivateOrganizationMembership(data[0]!.id);
    const res = await switchTo(billing.id, cookie);
    expect(await refusalOf(res)).toMatchObject({ status: 403, reason: 'not_a_member' });
  });

  it('answers 401 without a session cookie, and for a cookie that is not a session', async () => {
    const { billing } = await signedInMember();
    const none = await switchTo(billing.id);
    expect(await refusalOf(none)).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(cookieOf(none)).toBeUndefined();

    const forged = await switchTo(billing.id, 'wos-session=Fe26.2**forged**cookie~2');
    expect(await refusalOf(forged)).toMatchObject({ status: 401, code: 'unauthenticated' });
    // A cookie that can never work is deleted.
    expect(cookieOf(forged)?.line).toMatch(/Max-Age=0/);
  });

  it('refuses a cross-site POST carrying the session cookie, and spends nothing', async () => {
    const { user, billing, cookie } = await signedInMember();
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      const res = await switchTo(billing.id, cookie, headers);
      expect(await refusalOf(res)).toMatchObject({ status: 403, reason: 'cross_site_request' });
      expect(cookieOf(res)).toBeUndefined();
    }
    expect((await me(cookie)).body).toEqual({ userId: user.id, organizationId: null });
    const own = await switchTo(billing.id, cookie, {
      'sec-fetch-site': 'same-origin',
      origin: app.base,
    });
    expect(own.status).toBe(303);
  });

  it.each([
    ['a missing id', undefined],
    ['an empty id', ''],
    ['an id of another kind', 'user_01JZZZZZZZZZZZZZZZZZZZZZZZ'],
    ['an id with a control character', 'org_01JZZZ\u0000ZZZ'],
    ['an id with a line break', 'org_01JZZZ\nZZZ'],
    ['an oversized id', `org_${'A'.repeat(300)}`],
  ])('answers %s with 400 invalid_input', async (_case, organizationId) => {
    const { cookie } = await signedInMember();
    const fields: Record<string, string> = organizationId === undefined ? {} : { organizationId };
    const res = await app.request('/organization', form(fields, { cookie }));
    expect(await refusalOf(res)).toMatchObject({
      status: 400,
      code: 'invalid_input',
      reason: 'invalid_organization_id',
    });
    expect(cookieOf(res)).toBeUndefined();
    expect((await me(cookie)).status).toBe(200);
  });

  it('answers WorkOS refusing the refresh with 403 not_a_member, and a spent session with 401', async () => {
    const { billing, cookie } = await signedInMember();
    // What WorkOS answers when it will not issue a session for the organization.
    await start(async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.endsWith(AUTHENTICATE)) return fetch(input, init);
      return Response.json(
        { code: 'organization_membership_not_found', message: 'Not a member.' },
        { status: 403 },
      );
    });
    const refused = await switchTo(billing.id, cookie);
    expect(await refusalOf(refused)).toMatchObject({ status: 403, reason: 'not_a_member' });

    // WorkOS's answer for a refresh token it no longer knows (an ended session).
    await start(async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.endsWith(AUTHENTICATE)) return fetch(input, init);
      return Response.json(
        { error: 'invalid_grant', error_description: 'Invalid refresh token' },
        { status: 400 },
      );
    });
    const ended = await switchTo(billing.id, cookie);
    expect(await refusalOf(ended)).toMatchObject({ status: 401, reason: 'session_ended' });
    expect(cookieOf(ended)?.line).toMatch(/Max-Age=0/);
  });

  it('answers WorkOS rate limiting with 429 and an outage with 503, and keeps the cookie', async () => {
    const { billing, cookie } = await signedInMember();
    await start([{ fault: 'rate_limit', path: MEMBERSHIPS, retryAfterSeconds: 7 }]);
    const limited = await switchTo(billing.id, cookie);
    expect(await refusalOf(limited)).toMatchObject({ status: 429, code: 'rate_limited' });

    await start([{ fault: 'rate_limit', path: AUTHENTICATE }]);
    const limitedRefresh = await switchTo(billing.id, cookie);
    expect(await refusalOf(limitedRefresh)).toMatchObject({ status: 429, code: 'rate_limited' });

    for (const fault of ['service_unavailable', 'connection_reset'] as const) {
      await start([{ fault, path: AUTHENTICATE }]);
      const down = await switchTo(billing.id, cookie);
      expect(await refusalOf(down)).toMatchObject({ status: 503, code: 'upstream_unavailable' });
      expect(cookieOf(down)).toBeUndefined();
    }

    // WorkOS never answered those refreshes, so the cookie's refresh token is still good.
    await start();
    expect((await switchTo(billing.id, cookie)).status).toBe(303);
  });
});
