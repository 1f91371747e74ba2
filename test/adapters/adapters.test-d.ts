import type { Request } from 'express';
import { Hono } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import { createExpressAuth } from '../../src/adapters/express/index.js';
import { createHonoAuth, type OrgkitEnv } from '../../src/adapters/hono/index.js';
import { createNextAuth } from '../../src/adapters/next/index.js';
import type {
  AuditEvents,
  DefaultExpertSetupStep,
  DefaultPreferencesSchema,
  Orgkit,
  Session,
} from '../../src/index.js';
import type { TestAccessControl, TestOrgkit } from './support.js';

declare const orgkit: TestOrgkit;

describe('adapter types follow the app’s access control', () => {
  it('hono: roles and permissions are checked, c.var is typed', () => {
    const auth = createHonoAuth(orgkit);
    auth.requireRole('admin');
    auth.requireRole(['editor', 'admin']);
    auth.requirePermission(['billing:manage', 'posts:write']);
    auth.protect({ requiredRole: 'billing_admin', redirectTo: '/no' });
    // @ts-expect-error: not a role of this access control
    auth.requireRole('superadmin');
    // @ts-expect-error: not a permission of this access control
    auth.requirePermission('billing:read');
    new Hono<OrgkitEnv<TestOrgkit>>().get('/', auth.requireAuth(), (c) => {
      expectTypeOf(c.var.session).toEqualTypeOf<Session | undefined>();
      expectTypeOf(c.var.orgkit).toEqualTypeOf<TestOrgkit>();
      expectTypeOf(c.var.requestId).toBeString();
      return c.text('ok');
    });
  });

  it('express: roles and permissions are checked, req.auth is typed by declaration merging', () => {
    const auth = createExpressAuth(orgkit);
    auth.requireRole('editor');
    // @ts-expect-error: not a role of this access control
    auth.requireRole('owner');
    // @ts-expect-error: not a permission of this access control
    auth.protect({ requiredPermission: 'posts:delete' });
    expectTypeOf<Request['auth']>().toEqualTypeOf<
      | {
          readonly session: Session | undefined;
          readonly requestId: string;
          readonly ipAddress: string | undefined;
          readonly userAgent: string | undefined;
        }
      | undefined
    >();
  });
});

describe('an app’s own audit vocabulary', () => {
  it('an instance typed by defineAuditEvents fits every adapter (they record access.denied)', () => {
    type Typed = Orgkit<
      TestAccessControl,
      DefaultPreferencesSchema,
      DefaultExpertSetupStep,
      AuditEvents<'meeting.viewed', 'meeting'>
    >;
    const typed = orgkit as unknown as Typed;
    createExpressAuth(typed).requireRole('admin');
    createHonoAuth(typed).requirePermission('posts:write');
    createNextAuth(typed, { authkit: async () => ({ user: null }) });
    typed.logAuditEvent('access.denied', 'request', null);
    // @ts-expect-error: not an action of this vocabulary nor one of orgkit's
    typed.logAuditEvent('meeting.deleted', 'meeting', null);
  });
});
