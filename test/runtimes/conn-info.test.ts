import { Hono } from 'hono';
import { getConnInfo } from 'hono/cloudflare-workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHonoAuth } from '../../src/adapters/hono/index.js';
import { createOrgkit } from '../../src/create-orgkit.js';
import type { TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { openTestDatabase } from '../support/databases.js';

let tokens: TestTokenIssuer;
let t: TestDatabase;
beforeAll(async () => {
  tokens = await createTestTokenIssuer();
  t = await openTestDatabase({ url: undefined }, { plain: true });
});
afterAll(async () => {
  await t.close();
  await tokens.close();
});

// Hono's own Workers helper (it reads `cf-connecting-ip`, which Cloudflare sets) under the
// adapter's trustProxy rule, as a Worker runs it.
function appWith(trustProxy: boolean | number | string[]) {
  const orgkit = createOrgkit({ database: t.db, session: { jwksUrl: tokens.jwksUrl } });
  const auth = createHonoAuth(orgkit, { getConnInfo, trustProxy });
  const app = new Hono();
  app.use(auth.middleware());
  app.get('/ip', (c) => c.json({ ip: orgkit.getRequestScope()?.ipAddress ?? null }));
  return async (headers: Record<string, string>) =>
    (
      (await (await app.fetch(new Request('http://w.test/ip', { headers }))).json()) as {
        ip: string | null;
      }
    ).ip;
}

describe('client IP through Hono getConnInfo', () => {
  it('the platform’s address is the client when no proxy is trusted; X-Forwarded-For is ignored', async () => {
    const ip = appWith(false);
    expect(await ip({ 'cf-connecting-ip': '203.0.113.5' })).toBe('203.0.113.5');
    expect(await ip({ 'cf-connecting-ip': '203.0.113.5', 'x-forwarded-for': '198.51.100.7' })).toBe(
      '203.0.113.5',
    );
    expect(await ip({ 'cf-connecting-ip': '::ffff:203.0.113.5' })).toBe('203.0.113.5');
    expect(await ip({ 'cf-connecting-ip': 'not-an-ip' })).toBeNull();
    expect(await ip({})).toBeNull();
  });

  it('a trusted peer (a proxy in front of the Worker) vouches for the next hop of X-Forwarded-For', async () => {
    const ip = appWith(['10.0.0.0/8']);
    expect(await ip({ 'cf-connecting-ip': '10.1.2.3', 'x-forwarded-for': '198.51.100.7' })).toBe(
      '198.51.100.7',
    );
    // An untrusted peer: its X-Forwarded-For is not believed.
    expect(await ip({ 'cf-connecting-ip': '192.0.2.1', 'x-forwarded-for': '198.51.100.7' })).toBe(
      '192.0.2.1',
    );
  });
});
