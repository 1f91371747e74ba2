import { drizzle } from 'drizzle-orm/pglite';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { isOrgkitError } from '../../src/errors/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/database.js';
import { createTestTokenIssuer, type TestTokenIssuer } from '../../src/testing/token-issuer.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { createRuntimeApp } from './app/app.js';
import { READER, runRuntimeScenario, seedRuntimeUsers } from './support/scenario.js';

let tokens: TestTokenIssuer;
beforeAll(async () => {
  tokens = await createTestTokenIssuer();
});
afterAll(() => tokens.close());

describe.each(DATABASE_TARGETS)('one instance, a database per request ($name)', (target) => {
  let t: TestDatabase;
  afterEach(() => t?.close());

  it('guards, getAccess, preferences, audit and withRls use each request’s connection; the JWKS and role caches outlive them', async () => {
    // withRls needs the request role: the database is made with orgkit's default policies.
    t = await createTestDatabase({ url: target.url, rls: true });
    await seedRuntimeUsers(t);
    // On PGlite each request gets a drizzle database of its own over the one embedded client;
    // on PostgreSQL the default: a postgres.js client per request, closed after the response.
    const pglite = (t.db as unknown as { $client: unknown }).$client;
    const opened: { queries: number }[] = [];
    const { app } = createRuntimeApp({
      jwksUrl: tokens.jwksUrl,
      issuer: tokens.issuer,
      databaseUrl: t.url,
      schema: t.schema,
      openDatabase:
        t.kind === 'pglite'
          ? () => {
              const counter = { queries: 0 };
              opened.push(counter);
              const db = drizzle({
                client: pglite as never,
                logger: { logQuery: () => counter.queries++ },
              });
              return { db, close: async () => {} };
            }
          : undefined,
    });
    const send = (path: string, init?: RequestInit) =>
      Promise.resolve(app.fetch(new Request(`http://runtime.test${path}`, init)));
    await runRuntimeScenario(send, tokens, t);
    if (t.kind === 'pglite') {
      // The guarded requests after the first of each user were answered from the role cache:
      // their connections were opened and never queried.
      expect(opened.length).toBeGreaterThan(30);
      expect(opened.filter((c) => c.queries === 0).length).toBeGreaterThanOrEqual(28);
    }
    const stats = (await (
      await app.fetch(new Request('http://runtime.test/connections'))
    ).json()) as {
      connections: number;
    };
    expect(stats.connections).toBeGreaterThan(30);
  });
});

describe('the database option', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase({ url: undefined }, { plain: true });
  });
  afterAll(() => t.close());

  it('without one, a call needing the database fails with invalid_config / no_database and a call with one in its scope works', async () => {
    const orgkit = createOrgkit({ session: { jwksUrl: tokens.jwksUrl } });
    const error = await orgkit.getUserRoles(READER).catch((e: unknown) => e);
    expect(isOrgkitError(error) && [error.code, error.reason]).toEqual([
      'invalid_config',
      'no_database',
    ]);
    expect(String((error as Error).message)).toMatch(/runWithRequestScope\(\{ database \}\)/);
    await expect(
      orgkit.runWithRequestScope({ database: t.db }, () => orgkit.getUserRoles(READER)),
    ).resolves.toEqual(['user']);
    // Logging, awaiting or serialising the instance is no database call.
    await expect(Promise.resolve(orgkit.database)).resolves.toBe(orgkit.database);
    expect(() => JSON.stringify({ db: orgkit.database })).not.toThrow();
    expect(String(Object.prototype.toString.call(orgkit.database))).toBe('[object Object]');
  });

  it('a provider is called once per request scope (and per call outside one); a scope’s own database wins', async () => {
    let calls = 0;
    const orgkit = createOrgkit({
      database: () => {
        calls++;
        return t.db;
      },
      session: { jwksUrl: tokens.jwksUrl },
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), async (reads) => {
        calls = 0;
        await orgkit.runWithRequestScope({}, async () => {
          for (let i = 0; i < reads; i++)
            await orgkit.getUserPreferences(READER, { actor: { system: 'test' } });
        });
        expect(calls).toBe(1);
      }),
      { numRuns: 5 },
    );
    calls = 0;
    await orgkit.getUserPreferences(READER, { actor: { system: 'test' } });
    await orgkit.getUserPreferences(READER, { actor: { system: 'test' } });
    expect(calls).toBe(2);
    calls = 0;
    await orgkit.runWithRequestScope({ database: t.db }, () =>
      orgkit.getUserPreferences(READER, { actor: { system: 'test' } }),
    );
    expect(calls).toBe(0);
  });

  it('a nested scope keeps the request’s database; a scope database that is no drizzle database is invalid_input', async () => {
    const orgkit = createOrgkit({ session: { jwksUrl: tokens.jwksUrl } });
    await expect(
      orgkit.runWithRequestScope({ database: t.db }, () =>
        orgkit.runWithRequestScope({ requestId: 'inner' }, () => orgkit.getUserRoles(READER)),
      ),
    ).resolves.toEqual(['user']);
    expect(() => orgkit.runWithRequestScope({ database: {} as never }, () => 1)).toThrow(
      /init\.database: pass a drizzle Postgres database/,
    );
    expect(() => createOrgkit({ database: 'postgres://x' as never })).toThrow(/database/);
  });
});
