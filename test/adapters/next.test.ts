// orgkit/next through Next's own primitives: route handlers called with a NextRequest, and
// withAuth's redirects thrown by next/navigation. AuthKit itself (@workos-inc/authkit-nextjs
// 4.3) peers on @workos-inc/node ^9 || ^10 and cannot be installed beside this repo's 11, so the
// AuthKit session here is the one AuthKit would hand over: a user and an emulator-issued token.
import type { WorkOS } from '@workos-inc/node';
import { NextRequest } from 'next/server.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthKitSession,
  createNextAuth,
  createProxyCheck,
} from '../../src/adapters/next/index.js';
import { createOrgkit, isOrgkitError } from '../../src/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { startWorkOSEmulator, type WorkOSEmulator } from '../../src/testing/emulator.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { describeAdapterContract } from './contract.js';
import { buildNextApp } from './next-app.js';
import {
  accessControl,
  addUser,
  EMULATOR_SEED,
  signInAsBillingAdmin,
  type TestOrgkit,
} from './support.js';

describeAdapterContract('next route handlers', async (orgkit, options) =>
  buildNextApp(orgkit, options),
);

/** What next/navigation's redirect() threw, as the path it redirects to. */
async function redirectedTo(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  const digest = (error as { digest?: unknown } | undefined)?.digest;
  if (typeof digest !== 'string' || !digest.startsWith('NEXT_REDIRECT;')) throw error;
  return digest.split(';')[2];
}

const clientId = 'client_orgkit_next_test';

describe.each(DATABASE_TARGETS)(
  'next withAuth with emulator-issued sessions on $name',
  (target) => {
    let emulator: WorkOSEmulator;
    let workos: WorkOS;
    let database: TestDatabase;
    let orgkit: TestOrgkit;

    beforeAll(async () => {
      emulator = await startWorkOSEmulator({ seed: EMULATOR_SEED, clientId });
      workos = emulator.createClient();
    });
    afterAll(async () => {
      await emulator?.close();
    });
    beforeEach(async () => {
      emulator.reset();
      database = await openTestDatabase(target);
      orgkit = createOrgkit({
        database: database.db,
        accessControl,
        workos,
        clientId,
        session: { issuers: [emulator.url] },
      });
    });
    afterEach(async () => {
      await orgkit?.close();
      await database?.close();
    });

    /** A signed-in AuthKit session for a billing admin of Acme, as AuthKit's withAuth returns it. */
    async function billingAdminSession(email: string): Promise<AuthKitSession> {
      const { user, accessToken } = await signInAsBillingAdmin(workos, clientId, email);
      return { user, accessToken };
    }

    // AuthKit's shape: ensureSignedIn without a session redirects to its sign-in page.
    const authkitWith =
      (info: AuthKitSession) => async (options?: { ensureSignedIn?: boolean }) => {
        if (options?.ensureSignedIn && !info.user) {
          const { redirect } = await import('next/navigation.js');
          redirect('/authkit/sign-in');
        }
        return info;
      };

    it('returns the session, user and resolved roles when the rule holds', async () => {
      const info = await billingAdminSession('ada@example.com');
      const auth = createNextAuth(orgkit, { authkit: authkitWith(info) });
      const result = await auth.withAuth({ requiredPermission: 'billing:manage' });
      expect(result.user).toEqual(info.user);
      expect(result.session.userId).toBe((info.user as { id: string }).id);
      expect(result.roles).toEqual(expect.arrayContaining(['billing_admin']));
      // Outside a Next request there are no headers: run still opens the session's scope.
      expect(result.run(() => orgkit.requireAuth().userId)).toBe(result.session.userId);
    });

    it('sends signed-out visitors to AuthKit’s sign-in', async () => {
      const auth = createNextAuth(orgkit, { authkit: authkitWith({ user: null }) });
      expect(await redirectedTo(auth.withAuth())).toBe('/authkit/sign-in');
    });

    it('redirects a forbidden user to redirectTo, or throws forbidden without one', async () => {
      const info = await billingAdminSession('grace@example.com');
      await addUser(orgkit, (info.user as { id: string }).id, 'user');
      const auth = createNextAuth(orgkit, { authkit: authkitWith(info) });
      expect(await redirectedTo(auth.withAuth({ requiredRole: 'admin', redirectTo: '/' }))).toBe(
        '/',
      );
      const error = await auth.withAuth({ requiredRole: 'admin' }).catch((e: unknown) => e);
      expect(isOrgkitError(error) && error.code).toBe('forbidden');

      // Both refusals are recorded before the redirect or the throw; a server component has no
      // request at hand, so the events name no method or path.
      const denied = [];
      for await (const event of orgkit.exportAuditEvents({ action: 'access.denied' })) {
        denied.push(event);
      }
      expect(denied).toHaveLength(2);
      const { organizationId } = await orgkit.verifyAccessToken(info.accessToken!);
      expect(organizationId).toMatch(/^org_/);
      for (const event of denied) {
        expect(event).toMatchObject({
          outcome: 'denied',
          resourceType: 'request',
          resourceId: null,
          actor: { userId: (info.user as { id: string }).id },
          organizationId,
          metadata: { reason: 'missing_role' },
        });
      }
    });

    it('refuses a session whose token orgkit does not accept, even when AuthKit has one', async () => {
      const info = await billingAdminSession('linus@example.com');
      const tampered = `${info.accessToken!.slice(0, -4)}AAAA`;
      const auth = createNextAuth(orgkit, {
        authkit: authkitWith({ ...info, accessToken: tampered }),
      });
      const error = await auth.withAuth().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'unauthenticated', reason: 'signature_invalid' });
    });

    it('protects a route handler through AuthKit’s session when no Bearer token is sent', async () => {
      const info = await billingAdminSession('barbara@example.com');
      const auth = createNextAuth(orgkit, { authkit: authkitWith(info) });
      const GET = auth.protect({ requiredPermission: 'billing:manage' }, () =>
        Response.json({ userId: orgkit.requireAuth().userId }),
      );
      const res = await GET(new NextRequest('http://localhost:3000/api/billing'), {});
      expect(await res.json()).toEqual({ userId: (info.user as { id: string }).id });
    });
  },
);

describe('next proxy.ts check (optimistic only)', () => {
  const check = createProxyCheck({ protect: ['/dashboard', '/api/billing'] });
  const at = (path: string, headers: Record<string, string> = {}) =>
    check(new NextRequest(new URL(path, 'https://app.example'), { headers }));

  it('lets through unprotected paths and requests that carry a credential', () => {
    expect(at('/')).toBeUndefined();
    expect(at('/dashboards-are-public')).toBeUndefined();
    expect(at('/dashboard', { cookie: 'theme=dark; wos-session=Fe26.2*abc' })).toBeUndefined();
    expect(at('/api/billing', { authorization: 'Bearer eyJ.x.y' })).toBeUndefined();
  });

  it('redirects pages to sign-in and answers APIs with 401 when nothing is carried', async () => {
    const page = at('/dashboard/reports?y=2026', { cookie: 'theme=dark' });
    expect(page?.status).toBe(307);
    expect(page?.headers.get('location')).toBe(
      'https://app.example/sign-in?returnTo=%2Fdashboard%2Freports%3Fy%3D2026',
    );
    const api = at('/api/billing');
    expect(api?.status).toBe(401);
    expect(await api?.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('refuses a protect list that is not paths', () => {
    expect(() => createProxyCheck({ protect: ['dashboard'] })).toThrowError(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });
});
