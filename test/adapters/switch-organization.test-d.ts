import type { Response as ExpressResponse, Request } from 'express';
import { Hono } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import { createExpressAuth } from '../../src/adapters/express/index.js';
import { createHonoAuth } from '../../src/adapters/hono/index.js';
import type { OrgkitError, Session } from '../../src/index.js';
import type { TestOrgkit } from './support.js';

declare const orgkit: TestOrgkit;

describe('organization switch results narrow on ok', () => {
  it('hono: the session on success; an error, a status Hono accepts and a response on failure', () => {
    const auth = createHonoAuth(orgkit);
    new Hono().post('/organization', async (c) => {
      // A raw form value goes in as it is: the switch validates it.
      const { organizationId } = await c.req.parseBody();
      const result = await auth.switchOrganization(c, { organizationId });
      if (result.ok) {
        expectTypeOf(result.organizationId).toBeString();
        expectTypeOf(result.session).toEqualTypeOf<Session>();
        // @ts-expect-error: the cookie is set on `c`, not handed back
        void result.setCookie;
        return c.redirect('/dashboard', 303);
      }
      expectTypeOf(result.error).toEqualTypeOf<OrgkitError>();
      expectTypeOf(result.response).toEqualTypeOf<Response>();
      return c.html(`<p>${result.error.message}</p>`, result.status);
    });
  });

  it('express: the cookie is set on res, so neither outcome carries one', async () => {
    const auth = createExpressAuth(orgkit);
    const result = await auth.switchOrganization({} as Request, {} as ExpressResponse, {
      organizationId: 'org_01',
    });
    if (result.ok) {
      expectTypeOf(result.session).toEqualTypeOf<Session>();
      // @ts-expect-error: set on `res` already
      void result.setCookie;
    } else {
      expectTypeOf(result.error).toEqualTypeOf<OrgkitError>();
      expectTypeOf(result.status).toEqualTypeOf<400 | 401 | 403 | 429 | 503>();
      // @ts-expect-error: the app renders its own answer
      void result.response;
    }
  });
});
