import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createHonoAuth } from '../../src/adapters/hono/index.js';
import { createOrgkit } from '../../src/create-orgkit.js';
import { createOrgkitCore, type OrgkitCoreInstance } from '../../src/create-orgkit-core.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import { isOrgkitError } from '../../src/errors/index.js';
import { defineAccessControl } from '../../src/roles/index.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';

const accessControl = defineAccessControl({
  permissions: ['posts:read', 'posts:write'],
  appRoles: { user: ['posts:read'], admin: ['posts:read', 'posts:write'] },
  orgRoles: { member: ['posts:read'] },
});

let tokens: TestTokenIssuer;
beforeAll(async () => {
  tokens = await createTestTokenIssuer();
});
afterAll(() => tokens.close());

const configError = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isOrgkitError(error) ? { code: error.code, message: error.message } : error;
  }
  return undefined;
};

describe.each(DATABASE_TARGETS)('createOrgkitCore behind Hono ($name)', (target) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(target, { plain: true });
    await t.db.insert(createOrgkitTables().users).values([
      { workosUserId: 'user_core_reader', email: 'reader@example.com', role: 'user' },
      { workosUserId: 'user_core_admin', email: 'admin@example.com', role: 'admin' },
    ]);
  });
  afterAll(() => t?.close());

  it('guards routes, resolves access and writes audit events a full instance verifies', async () => {
    const orgkit = createOrgkitCore({
      accessControl,
      database: t.db,
      session: { jwksUrl: tokens.jwksUrl, issuers: [tokens.issuer] },
    });
    const auth = createHonoAuth(orgkit);
    const app = new Hono();
    app.onError(auth.onError);
    app.use(auth.middleware());
    app.get('/posts', auth.requirePermission('posts:read'), async (c) => {
      const access = await orgkit.getAccess();
      const event = await orgkit.logAuditEvent('post.listed', 'post', 'all');
      return c.json({
        userId: access.userId,
        canWrite: access.hasPermission('posts:write'),
        event: event.id,
      });
    });
    app.get('/write', auth.requirePermission('posts:write'), (c) => c.json({ ok: true }));
    app.post('/webhooks/workos', auth.webhook());
    const send = async (path: string, token?: string, method = 'GET') =>
      app.fetch(
        new Request(`http://core.test${path}`, {
          method,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }),
      );
    const reader = await tokens.mint({ sub: 'user_core_reader', org_id: 'org_core' });
    const admin = await tokens.mint({ sub: 'user_core_admin' });

    expect((await send('/posts')).status).toBe(401);
    const listed = await send('/posts', reader);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ userId: 'user_core_reader', canWrite: false });
    expect((await send('/write', reader)).status).toBe(403);
    expect((await send('/write', admin)).status).toBe(200);

    // The core's events are the full instance's: same table, same chain.
    const full = createOrgkit({ accessControl, database: t.db });
    const report = await full.verifyAuditChain();
    expect(report.valid).toBe(true);
    const page = await full.queryAuditEvents({ action: 'post.listed' });
    expect(page.events.map((e) => [e.actor, e.organizationId])).toEqual([
      [{ userId: 'user_core_reader' }, 'org_core'],
    ]);
    // The 403 was recorded as access.denied, as createOrgkit's adapters do.
    expect((await full.queryAuditEvents({ action: 'access.denied' })).events).toHaveLength(1);

    // No WorkOS sync in the core: the webhook route says so instead of failing deep inside.
    const hook = await send('/webhooks/workos', undefined, 'POST');
    expect(hook.status).toBe(500);
    expect(await hook.json()).toMatchObject({ error: { code: 'invalid_config' } });
  });
});

describe('createOrgkitCore options', () => {
  it('names a bad key with zod’s English message, as createOrgkit does', () => {
    expect(configError(() => createOrgkitCore({ cache: { ttlMs: -1 } }))).toEqual({
      code: 'invalid_config',
      message: 'createOrgkitCore: cache.ttlMs: Too small: expected number to be >0',
    });
    expect(configError(() => createOrgkit({ cache: { ttlMs: -1 } }))).toEqual({
      code: 'invalid_config',
      message: 'createOrgkit: cache.ttlMs: Too small: expected number to be >0',
    });
    expect(configError(() => createOrgkitCore({ session: { issuers: 'x' as never } }))).toEqual({
      code: 'invalid_config',
      message: 'createOrgkitCore: session.issuers: Invalid input: expected array, received string',
    });
  });

  it('refuses the options of capabilities it leaves out, naming them', () => {
    for (const key of ['guests', 'preferences', 'expertSetup', 'access', 'webhooks']) {
      const error = configError(() => createOrgkitCore({ [key]: {} } as never));
      expect(error).toEqual({
        code: 'invalid_config',
        message: `createOrgkitCore: (root): Unrecognized key: "${key}"`,
      });
    }
    expect(
      configError(() => createOrgkitCore({ audit: { forwardToWorkOS: true } } as never)),
    ).toEqual({
      code: 'invalid_config',
      message: 'createOrgkitCore: audit: Unrecognized key: "forwardToWorkOS"',
    });
  });

  it('has the core’s functions and no others', () => {
    const orgkit = createOrgkitCore({ accessControl });
    expect(typeof orgkit.getAccess).toBe('function');
    expect(typeof orgkit.logAuditEvents).toBe('function');
    expect('createOrGetGuestUser' in orgkit).toBe(false);
    expect('verifyAuditChain' in orgkit).toBe(false);
    expectTypeOf(orgkit).toEqualTypeOf<OrgkitCoreInstance<typeof accessControl>>();
    // @ts-expect-error guest provisioning is not part of the core
    orgkit.createOrGetGuestUser;
  });
});
