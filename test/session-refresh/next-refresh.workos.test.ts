// The Next adapter's cookie path (route handlers with the `session` option) across two
// instances in one process sharing the database: one refresh, one new cookie, sent back.
import { NextRequest } from 'next/server.js';
import { describe, expect, it } from 'vitest';
import { createNextAuth } from '../../src/adapters/next/index.js';
import { createOrgkit } from '../../src/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import {
  CLIENT_ID,
  COOKIE_PASSWORD,
  cookiePair,
  setupRefreshEmulator,
  singleUseRule,
} from './support.js';

const env = setupRefreshEmulator();
const GRACE_MS = 2_000;

describe.each(DATABASE_TARGETS)('Next route handlers refreshing one cookie on $name', (target) => {
  it('two instances, 30 concurrent requests each → all 200, one refresh, the same new cookie; the old one is refused after the window', async () => {
    env.emulator.reset();
    const t = await openTestDatabase(target);
    const rule = singleUseRule();
    // The rule WorkOS has and the emulator lacks, in the SDK's fetch.
    const fetchFn: typeof fetch = async (input, init) => {
      if (String(input).includes('/user_management/authenticate')) {
        const refused = rule.judge(JSON.parse(String(init?.body ?? '{}')));
        if (refused) return refused;
      }
      return fetch(input, init);
    };
    const instances = [1, 2].map(() => {
      const workos = env.emulator.createClient({ fetchFn, maxRetries: 0 });
      const orgkit = createOrgkit({
        database: t.db,
        workos,
        clientId: CLIENT_ID,
        session: {
          jwksUrl: env.jwksUrl,
          issuers: ['https://api.workos.com', env.emulator.url, env.tokens.issuer],
        },
      });
      const auth = createNextAuth(orgkit, {
        authkit: async () => ({ user: null }),
        session: {
          workos,
          clientId: CLIENT_ID,
          cookiePassword: COOKIE_PASSWORD,
          redirectUri: 'http://localhost:3000/auth/callback',
          refresh: { coordinate: 'postgres', graceMs: GRACE_MS },
        },
      });
      const me = auth.protect({}, async () =>
        Response.json({ userId: orgkit.getRequestScope()?.session?.userId }),
      );
      return {
        orgkit,
        get: (cookie: string) =>
          me(new NextRequest('http://localhost:3000/api/me', { headers: { cookie } }), {}),
      };
    });
    try {
      const old = await env.expiredCookie();
      const responses = await Promise.all(
        instances.flatMap((i) => Array.from({ length: 30 }, () => i.get(old))),
      );
      const burstDone = Date.now();
      expect(responses.map((r) => r.status)).toEqual(Array(60).fill(200));
      expect(rule.state.refreshes).toBe(1);
      const cookies = new Set(responses.map(cookiePair));
      expect(cookies.size).toBe(1);
      const fresh = [...cookies][0]!;
      for (const instance of instances) {
        const response = await instance.get(fresh);
        expect(response.status).toBe(200);
        expect(cookiePair(response)).toBeUndefined();
      }

      await new Promise((resolve) =>
        setTimeout(resolve, GRACE_MS + 500 - (Date.now() - burstDone)),
      );
      const late = await instances[1]!.get(old);
      expect(late.status).toBe(401);
      expect(cookiePair(late)).toBe('wos-session=');
      expect(rule.state).toEqual({ refreshes: 2, refused: 1 });
    } finally {
      for (const instance of instances) await instance.orgkit.close();
      await t.close();
    }
  }, 60_000);
});
