import type { Response as ExpressResponse, Request } from 'express';
import { Hono } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import { createExpressAuth } from '../../src/adapters/express/index.js';
import { createHonoAuth } from '../../src/adapters/hono/index.js';
import type { OrgkitError } from '../../src/index.js';
import type { TestOrgkit } from './support.js';

declare const orgkit: TestOrgkit;

describe('magic-auth sign-in results narrow on ok', () => {
  it('hono: a response on success; an error and a status Hono accepts on failure', () => {
    const auth = createHonoAuth(orgkit);
    new Hono().post('/guest/sign-in', async (c) => {
      // Raw form values go in as they are: the sign-in validates them.
      const form = await c.req.parseBody();
      const result = await auth.signInWithMagicAuth(c, { ...form, returnTo: '/bookings' });
      if (result.ok) {
        expectTypeOf(result.response).toEqualTypeOf<Response>();
        expectTypeOf(result.userId).toBeString();
        // @ts-expect-error: only a failure carries an error
        void result.error;
        return result.response;
      }
      expectTypeOf(result.error).toEqualTypeOf<OrgkitError>();
      return c.html(`<p>${result.error.message}</p>`, result.status);
    });
  });

  it('express: the redirect is sent on success, so only a failure has anything to render', async () => {
    const auth = createExpressAuth(orgkit);
    const result = await auth.signInWithMagicAuth({} as Request, {} as ExpressResponse, {
      email: 'guest@example.com',
      code: '123456',
    });
    if (result.ok) {
      expectTypeOf(result.userId).toBeString();
      // @ts-expect-error: the response was sent already
      void result.response;
    } else {
      expectTypeOf(result.error).toEqualTypeOf<OrgkitError>();
      expectTypeOf(result.status).toEqualTypeOf<400 | 401 | 403 | 429 | 503>();
    }
  });
});
