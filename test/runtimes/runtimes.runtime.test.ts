import { isIP } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import {
  runCoreRuntimeScenario,
  runRuntimeScenario,
  seedRuntimeUsers,
} from './support/scenario.js';
import {
  type RuntimeName,
  type RuntimeServer,
  startRuntimeServer,
} from './support/spawn-server.js';

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) {
  throw new Error(
    'npm run test:runtimes needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test',
  );
}

// The same Hono app (test/runtimes/app) on each runtime's own server, driven over HTTP from
// here: one orgkit instance per process or isolate, a postgres.js connection per request.
describe.each<RuntimeName>(['bun', 'deno', 'workerd'])('%s', (runtime) => {
  let t: TestDatabase;
  let tokens: TestTokenIssuer;
  let server: RuntimeServer;
  beforeAll(async () => {
    tokens = await createTestTokenIssuer();
    t = await createTestDatabase({ url: DATABASE_URL, rls: true });
    await seedRuntimeUsers(t);
    server = await startRuntimeServer(runtime, {
      RUNTIME_DATABASE_URL: t.url!,
      RUNTIME_SCHEMA: t.schema,
      RUNTIME_JWKS_URL: tokens.jwksUrl,
      RUNTIME_ISSUER: tokens.issuer,
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await t?.close();
    await tokens?.close();
  });

  it('guards, getAccess, preferences, an audit write with a valid chain and withRls, on a connection per request with one JWKS fetch', async () => {
    const send = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
    try {
      const { auditIps } = await runRuntimeScenario(send, tokens, t, { requests: 40 });
      // The client IP came through the runtime's getConnInfo onto every audit row.
      for (const ip of auditIps) expect(ip !== null && isIP(ip) !== 0, `audit ip ${ip}`).toBe(true);
    } catch (error) {
      throw new Error(
        `${String(error)}\n--- ${runtime} output ---\n${server.output().slice(-4000)}`,
        {
          cause: error,
        },
      );
    }
  }, 120_000);
});

// The Worker a size-conscious app deploys: the same app on `createOrgkitCore`.
describe('workerd, on createOrgkitCore', () => {
  let t: TestDatabase;
  let tokens: TestTokenIssuer;
  let server: RuntimeServer;
  beforeAll(async () => {
    tokens = await createTestTokenIssuer();
    t = await createTestDatabase({ url: DATABASE_URL, rls: true });
    await seedRuntimeUsers(t);
    server = await startRuntimeServer('workerd', {
      RUNTIME_DATABASE_URL: t.url!,
      RUNTIME_SCHEMA: t.schema,
      RUNTIME_JWKS_URL: tokens.jwksUrl,
      RUNTIME_ISSUER: tokens.issuer,
      RUNTIME_CORE: '1',
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await t?.close();
    await tokens?.close();
  });

  it('guards, getAccess, audit writes the chain keeps and withRls, with one JWKS fetch', async () => {
    const send = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
    try {
      await runCoreRuntimeScenario(send, tokens, t);
    } catch (error) {
      throw new Error(`${String(error)}\n--- workerd output ---\n${server.output().slice(-4000)}`, {
        cause: error,
      });
    }
  }, 120_000);
});
