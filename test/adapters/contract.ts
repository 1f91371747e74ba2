// The behaviour every adapter owes its users, run against each framework through its own request
// path. An adapter test builds the app below in its framework's idiom and hands over `start`.
//
// Routes every app serves:
//   GET  /public           no guard           { userId | null }
//   GET  /api/me           requireAuth        { userId, ...whoAmI() }   (?delay=ms)
//   GET  /api/roles        requireAuth        { roles: await getUserRoles() }
//   GET  /api/admin        requireRole('admin')
//   GET  /api/staff        requireRole(['editor', 'admin'])
//   GET  /api/billing      requirePermission('billing:manage')
//   GET  /api/publish      protect({ requiredRole: 'editor', requiredPermission: 'posts:write' })
//   GET  /admin            requireRole('admin', { redirectTo: '/forbidden' })
//   GET  /api/meetings/:id requireAuth        logs `meeting.viewed` with no context args (?delay=ms)
//   GET  /api/audit-log    requireAuth        { ...await queryAuditEvents() } (forbidden here)
//   GET  /api/implicit     no guard, calls orgkit.requireAuth() in the handler
//   GET  /api/crash        no guard, throws a plain Error holding a secret
//   POST /webhooks/workos  webhook()
import { getTableName, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { rawAuditRows } from '../audit/support.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { JOB } from '../support/sessions.js';
import {
  addUser,
  leaksNothingOf,
  membershipCreated,
  orgkitFor,
  signedWebhook,
  type TestOrgkit,
} from './support.js';

/** A running app: `request` is the framework's own request path (in-process or over HTTP). */
export interface AdapterHarness {
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Options every adapter takes the same way. */
export interface HarnessOptions {
  trustProxy: number;
  onUnexpectedError: (error: unknown) => void;
}

export type StartApp = (orgkit: TestOrgkit, options: HarnessOptions) => Promise<AdapterHarness>;

export function describeAdapterContract(name: string, start: StartApp): void {
  describe.each(DATABASE_TARGETS)(`${name} (database: $name)`, (target) => {
    let tokens: TestTokenIssuer;
    let forger: TestTokenIssuer;
    let database: TestDatabase;
    let orgkit: TestOrgkit;
    let app: AdapterHarness;
    let unexpected: unknown[];

    beforeAll(async () => {
      tokens = await createTestTokenIssuer();
      // Same issuer name and kid, its own private key: a forgery only the signature gives away.
      forger = await createTestTokenIssuer({ issuer: tokens.issuer });
    });
    afterAll(async () => {
      await tokens?.close();
      await forger?.close();
    });
    beforeEach(async () => {
      database = await openTestDatabase(target);
      orgkit = orgkitFor(database, tokens);
      unexpected = [];
      app = await start(orgkit, {
        trustProxy: 1,
        onUnexpectedError: (error) => unexpected.push(error),
      });
    });
    afterEach(async () => {
      await app?.close();
      await orgkit?.close();
      await database?.close();
    });

    const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
      app.request(path, {
        headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
      });

    /** Every stored event with this action, read outside any request scope, oldest first. */
    const eventsOf = async (action: string, from: TestOrgkit = orgkit) => {
      const events: AuditEvent[] = [];
      for await (const event of from.exportAuditEvents({ action })) events.push(event);
      return events;
    };

    it('lets anonymous requests through unguarded routes and refuses them on guarded ones', async () => {
      const open = await get('/public');
      expect(open.status).toBe(200);
      expect(await open.json()).toEqual({ userId: null });

      const refused = await get('/api/me');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(refused.headers.get('content-type')).toMatch(/application\/json/);
      expect(await refused.json()).toEqual({
        error: { code: 'unauthenticated', message: expect.any(String), reason: 'no_session' },
      });
    });

    it('answers an expired token with 401 naming the reason, never the token', async () => {
      const token = await tokens.mint({}, { expiresIn: -60 });
      const res = await get('/api/me', token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({
        error: { code: 'unauthenticated', reason: 'expired' },
      });
      expect(leaksNothingOf(token, text)).toBe(true);
    });

    it('answers a forged token with 401, also on an unguarded route it stays anonymous', async () => {
      const token = await forger.mint({ sub: 'user_mallory' });
      const res = await get('/api/me', token);
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({
        error: { code: 'unauthenticated', reason: 'signature_invalid' },
      });
      expect(text).not.toContain('user_mallory');
      expect(await (await get('/public', token)).json()).toEqual({ userId: null });
    });

    it('admits the right role and refuses the wrong one with 403', async () => {
      const adminId = 'user_admin_1';
      const plainId = 'user_plain_1';
      await addUser(orgkit, adminId, 'admin');
      await addUser(orgkit, plainId, 'user');
      const admin = await tokens.mint({ sub: adminId });
      const plain = await tokens.mint({ sub: plainId });

      const allowed = await get('/api/admin', admin);
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ ok: true });

      const refused = await get('/api/admin', plain);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({
        error: { code: 'forbidden', message: expect.any(String), reason: 'missing_role' },
      });

      await orgkit.setUserRole(plainId, 'editor', JOB);
      expect((await get('/api/staff', admin)).status).toBe(200);
      expect((await get('/api/staff', plain)).status).toBe(200);
      expect((await get('/api/staff', await tokens.mint({ sub: 'user_nobody' }))).status).toBe(403);
    });

    it('grants a permission through a second role the user holds', async () => {
      // App role `user` grants no billing; the organization role in the token does.
      await addUser(orgkit, 'user_billing_1', 'user');
      await addUser(orgkit, 'user_billing_2', 'user');
      const withOrgRole = await tokens.mint({
        sub: 'user_billing_1',
        org_id: 'org_acme',
        role: 'billing_admin',
      });
      const without = await tokens.mint({
        sub: 'user_billing_2',
        org_id: 'org_acme',
        role: 'member',
      });
      expect((await get('/api/billing', withOrgRole)).status).toBe(200);
      const refused = await get('/api/billing', without);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({
        error: { code: 'forbidden', reason: 'missing_permission' },
      });

      const roles = await (await get('/api/roles', withOrgRole)).json();
      expect(roles.roles).toEqual(expect.arrayContaining(['user', 'billing_admin']));
    });

    it('requires every rule of a combined rule', async () => {
      await addUser(orgkit, 'user_editor', 'editor');
      const editor = await tokens.mint({ sub: 'user_editor' });
      expect((await get('/api/publish', editor)).status).toBe(200);
      await orgkit.setUserRole('user_editor', 'admin', JOB);
      // An admin can write posts, but is no editor.
      expect((await get('/api/publish', editor)).status).toBe(403);
    });

    it('redirects page routes: signed-out users to sign-in, forbidden users to redirectTo', async () => {
      const signedOut = await app.request('/admin?tab=users', { redirect: 'manual' });
      expect(signedOut.status).toBe(302);
      expect(signedOut.headers.get('location')).toBe(
        `/sign-in?returnTo=${encodeURIComponent('/admin?tab=users')}`,
      );
      const plain = await tokens.mint({ sub: 'user_plain_2' });
      const forbidden = await app.request('/admin', {
        redirect: 'manual',
        headers: { authorization: `Bearer ${plain}` },
      });
      expect(forbidden.status).toBe(302);
      expect(forbidden.headers.get('location')).toBe('/forbidden');
    });

    it('runs the handler in the request scope: session, request id, client IP, user agent', async () => {
      const token = await tokens.mint({ sub: 'user_scope_1' });
      const res = await get('/api/me', token, {
        'x-request-id': 'req-abc-123',
        'x-forwarded-for': '198.51.100.7, 203.0.113.9',
        'user-agent': 'orgkit-test/1.0',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        userId: 'user_scope_1',
        scopeUserId: 'user_scope_1',
        requestId: 'req-abc-123',
        // trustProxy: 1 trusts the one proxy in front: the entry it appended is the client.
        ipAddress: '203.0.113.9',
        userAgent: 'orgkit-test/1.0',
      });

      const unsafe = await get('/api/me', token, { 'x-request-id': 'bad id\twith tab' });
      const body = await unsafe.json();
      expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('maps errors thrown in handlers to stable JSON without leaking internals', async () => {
      const implicit = await get('/api/implicit');
      expect(implicit.status).toBe(401);
      expect(await implicit.json()).toMatchObject({ error: { code: 'unauthenticated' } });

      const crash = await get('/api/crash');
      expect(crash.status).toBe(500);
      const text = await crash.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'internal', message: 'internal server error' },
      });
      expect(text).not.toMatch(/hunter2|at .*\.ts/);
      // Kept from the client, not from the operator.
      expect(unexpected).toEqual([
        expect.objectContaining({ message: expect.stringContaining('hunter2') }),
      ]);
    });

    it('keeps 1,000 interleaved requests apart: no request ever sees another one’s scope', async () => {
      const count = 1_000;
      const minted = await Promise.all(
        Array.from({ length: count }, (_, i) => tokens.mint({ sub: `user_load_${i}` })),
      );
      const burst = () =>
        Promise.all(
          minted.map(async (token, i) => {
            const res = await get(`/api/me?delay=${(i * 7) % 5}`, token, {
              'x-request-id': `req-load-${i}`,
            });
            return res.json() as Promise<Record<string, unknown>>;
          }),
        );
      // Twice: first with every token new, then with every token answered from the caches.
      for (const responses of [await burst(), await burst()]) {
        const crossTalk = responses.filter(
          (body, i) =>
            body.userId !== `user_load_${i}` ||
            body.scopeUserId !== `user_load_${i}` ||
            body.requestId !== `req-load-${i}`,
        );
        expect(crossTalk).toEqual([]);
      }
    });

    it('hands webhook deliveries to the core with the raw body, refusing bad signatures', async () => {
      const event = membershipCreated('user_hooked', 'org_hooked', 'billing_admin');
      const { body, header } = await signedWebhook(event);

      const forged = await app.request('/webhooks/workos', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'workos-signature': header },
        body: body.replace('billing_admin', 'admin'),
      });
      expect(forged.status).toBe(400);
      expect(await forged.json()).toMatchObject({ error: { code: 'webhook_invalid' } });

      const accepted = await app.request('/webhooks/workos', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'workos-signature': header },
        body,
      });
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ received: true, applied: true });

      // The membership the webhook mirrored now grants its role's permission.
      const token = await tokens.mint({ sub: 'user_hooked', org_id: 'org_hooked' });
      expect((await get('/api/billing', token)).status).toBe(200);
    });

    describe('audit', () => {
      it('an event logged in a handler carries the request’s user, organization, IP, user agent and id', async () => {
        const token = await tokens.mint({ sub: 'user_audit_1', org_id: 'org_audit_1' });
        const res = await get('/api/meetings/m_42', token, {
          'x-request-id': 'req-audit-1',
          'x-forwarded-for': '198.51.100.7, 203.0.113.9',
          'user-agent': 'orgkit-audit-test/1.0',
        });
        expect(res.status).toBe(200);
        const { eventId } = await res.json();

        const events = await eventsOf('meeting.viewed');
        expect(events).toEqual([
          expect.objectContaining({
            id: eventId,
            action: 'meeting.viewed',
            outcome: 'success',
            resourceType: 'meeting',
            resourceId: 'm_42',
            actor: { userId: 'user_audit_1' },
            organizationId: 'org_audit_1',
            // trustProxy: 1 trusts the one proxy in front: the entry it appended is the client.
            ipAddress: '203.0.113.9',
            userAgent: 'orgkit-audit-test/1.0',
            requestId: 'req-audit-1',
          }),
        ]);
        // The stored row itself, not only the API's reading of it.
        const rows = await rawAuditRows(orgkit.database);
        expect(rows).toEqual([
          expect.objectContaining({
            id: eventId,
            actor_workos_user_id: 'user_audit_1',
            workos_org_id: 'org_audit_1',
            ip_address: '203.0.113.9',
            user_agent: 'orgkit-audit-test/1.0',
            request_id: 'req-audit-1',
          }),
        ]);
      });

      it('two users’ concurrent requests each record their own user, organization, IP and user agent', async () => {
        const count = 200;
        const users = [
          { userId: 'user_audit_a', org: 'org_audit_a' },
          { userId: 'user_audit_b', org: 'org_audit_b' },
        ];
        const userTokens = await Promise.all(
          users.map((u) => tokens.mint({ sub: u.userId, org_id: u.org })),
        );
        const ipOf = (i: number) => `198.51.${Math.floor(i / 200)}.${(i % 200) + 1}`;
        const responses = await Promise.all(
          Array.from({ length: count }, (_, i) =>
            get(`/api/meetings/m_${i}?delay=${(i * 7) % 5}`, userTokens[i % 2], {
              'x-request-id': `req-audit-load-${i}`,
              'x-forwarded-for': `10.1.2.3, ${ipOf(i)}`,
              'user-agent': `orgkit-audit-load/${i}`,
            }),
          ),
        );
        expect(responses.map((r) => r.status)).toEqual(Array(count).fill(200));

        const events = await eventsOf('meeting.viewed');
        expect(events).toHaveLength(count);
        const swapped = events.filter((event) => {
          const i = Number(event.resourceId?.slice('m_'.length));
          const user = users[i % 2]!;
          return (
            event.requestId !== `req-audit-load-${i}` ||
            (event.actor as { userId?: string } | null)?.userId !== user.userId ||
            event.organizationId !== user.org ||
            event.ipAddress !== ipOf(i) ||
            event.userAgent !== `orgkit-audit-load/${i}`
          );
        });
        expect(swapped).toEqual([]);
      });

      it('records a guard’s 403 once as access.denied with the user, organization and path, never the query', async () => {
        await addUser(orgkit, 'user_denied_1', 'user');
        const token = await tokens.mint({ sub: 'user_denied_1', org_id: 'org_denied' });
        const res = await get('/api/admin?access_token=s3cr3t-in-query', token, {
          'x-request-id': 'req-denied-1',
          'x-forwarded-for': '198.51.100.7, 203.0.113.50',
          'user-agent': 'orgkit-denied/1.0',
        });
        expect(res.status).toBe(403);

        const events = await eventsOf('access.denied');
        expect(events).toEqual([
          expect.objectContaining({
            outcome: 'denied',
            resourceType: 'request',
            resourceId: 'GET /api/admin',
            actor: { userId: 'user_denied_1' },
            organizationId: 'org_denied',
            ipAddress: '203.0.113.50',
            userAgent: 'orgkit-denied/1.0',
            requestId: 'req-denied-1',
            metadata: { method: 'GET', path: '/api/admin', reason: 'missing_role' },
          }),
        ]);
        expect(JSON.stringify(events)).not.toContain('s3cr3t');
      });

      it('records a missing permission, a page route’s redirect and a handler’s forbidden; a 401 or an allowed request records none', async () => {
        await addUser(orgkit, 'user_denied_2', 'user');
        await addUser(orgkit, 'user_allowed', 'admin');
        const plain = await tokens.mint({ sub: 'user_denied_2', org_id: 'org_denied' });
        const admin = await tokens.mint({ sub: 'user_allowed' });

        expect((await get('/api/me')).status).toBe(401);
        expect((await get('/api/admin', await tokens.mint({}, { expiresIn: -60 }))).status).toBe(
          401,
        );
        expect((await get('/api/admin', admin)).status).toBe(200);
        expect(await eventsOf('access.denied')).toEqual([]);

        expect((await get('/api/billing', plain)).status).toBe(403);
        const page = await app.request('/admin?tab=users', {
          redirect: 'manual',
          headers: { authorization: `Bearer ${plain}` },
        });
        expect(page.status).toBe(302);
        // Reading the audit log needs a permission this access model does not even define.
        const read = await get('/api/audit-log', plain);
        expect(read.status).toBe(403);

        const events = await eventsOf('access.denied');
        expect(events.map((e) => [e.resourceId, e.metadata])).toEqual([
          [
            'GET /api/billing',
            {
              method: 'GET',
              path: '/api/billing',
              reason: 'missing_permission',
              missing: ['billing:manage'],
            },
          ],
          ['GET /admin', { method: 'GET', path: '/admin', reason: 'missing_role' }],
          [
            'GET /api/audit-log',
            {
              method: 'GET',
              path: '/api/audit-log',
              reason: 'missing_permission',
              missing: ['audit:read'],
            },
          ],
        ]);
        for (const event of events) {
          expect(event).toMatchObject({
            outcome: 'denied',
            actor: { userId: 'user_denied_2' },
            organizationId: 'org_denied',
          });
        }
      });

      it('records no denial with audit.logDeniedRequests: false', async () => {
        const quiet = orgkitFor(database, tokens, { logDeniedRequests: false });
        const quietApp = await start(quiet, { trustProxy: 1, onUnexpectedError: () => {} });
        try {
          await addUser(quiet, 'user_denied_3', 'user');
          const token = await tokens.mint({ sub: 'user_denied_3' });
          const res = await quietApp.request('/api/admin', {
            headers: { authorization: `Bearer ${token}` },
          });
          expect(res.status).toBe(403);
          expect(await eventsOf('access.denied', quiet)).toEqual([]);
        } finally {
          await quietApp.close();
          await quiet.close();
        }
      });

      // A real server lets a second connection hold the audit table while the request runs.
      if (target.url) {
        it('holds the 403 until its access.denied event is committed', async () => {
          await addUser(orgkit, 'user_denied_5', 'user');
          const token = await tokens.mint({ sub: 'user_denied_5' });
          let answered = false;
          let pending: Promise<Response> | undefined;
          await orgkit.database.transaction(async (tx) => {
            await tx.execute(sql`LOCK TABLE ${orgkit.tables.auditLogs} IN EXCLUSIVE MODE`);
            pending = get('/api/admin', token).then((res) => {
              answered = true;
              return res;
            });
            // Should an assertion below fail, the request it leaves behind must not be unhandled.
            pending.catch(() => {});
            // Wait until the denial's insert queues behind the lock.
            for (let waiting = false; !waiting; ) {
              const result = await tx.execute(
                sql`select count(*)::int as n from pg_locks where not granted and relation = to_regclass(${getTableName(orgkit.tables.auditLogs)})`,
              );
              waiting = (result as unknown as { rows: { n: number }[] }).rows[0]!.n > 0;
            }
            expect(answered).toBe(false);
          });
          const res = await pending!;
          expect(res.status).toBe(403);
          expect(await eventsOf('access.denied')).toHaveLength(1);
        });
      }

      it('still answers 403 when the denial cannot be recorded, and tells the operator', async () => {
        await addUser(orgkit, 'user_denied_4', 'user');
        const token = await tokens.mint({ sub: 'user_denied_4' });
        // The audit table is gone: every write fails the way a lost database would.
        await orgkit.database.execute(
          sql`alter table ${orgkit.tables.auditLogs} rename to audit_logs_moved_away`,
        );
        const res = await get('/api/admin', token);
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ error: { code: 'forbidden' } });
        expect(unexpected).toEqual([
          expect.objectContaining({
            code: 'internal',
            message: expect.stringContaining('access.denied'),
          }),
        ]);
      });
    });
  });
}
