import { describe, expect, it } from 'vitest';
import { createOrgkit, isOrgkitError, OrgkitError } from '../src/index.js';
import { openTestDatabase } from './support/databases.js';
import { sessionFor } from './support/sessions.js';

describe('createOrgkit configuration', () => {
  it('names the bad key instead of failing deep inside', async () => {
    const { db, close } = await openTestDatabase({ url: undefined });
    try {
      expect(() => createOrgkit({ database: {} as never })).toThrowError(
        /createOrgkit: database: expected a drizzle Postgres database/,
      );
      expect(() => createOrgkit({ database: db, cache: { ttlMs: -1 } })).toThrowError(
        /createOrgkit: cache\.ttlMs/,
      );
      expect(() => createOrgkit({ database: db, session: { jwksUrl: 'not a url' } })).toThrowError(
        /createOrgkit: session\.jwksUrl/,
      );
      expect(() => createOrgkit({ database: db, unknownOption: true } as never)).toThrowError(
        /createOrgkit: .*unknownOption/,
      );
      try {
        createOrgkit({ database: db, webhooks: { secret: '' } });
        expect.unreachable();
      } catch (error) {
        expect(isOrgkitError(error) && error.code).toBe('invalid_config');
      }
    } finally {
      await close();
    }
  });

  it('names the telemetry key that is wrong: a hash without its key, a short key, an unknown id policy', () => {
    expect(() => createOrgkit({ telemetry: { ids: 'hash' } })).toThrowError(
      /createOrgkit: telemetry\.idHashKey: ids: 'hash' needs telemetry\.idHashKey/,
    );
    expect(() => createOrgkit({ telemetry: { ids: 'hash', idHashKey: 'short' } })).toThrowError(
      /createOrgkit: telemetry\.idHashKey: use at least 32 characters/,
    );
    expect(() => createOrgkit({ telemetry: { ids: 'emails' as never } })).toThrowError(
      /createOrgkit: telemetry\.ids/,
    );
    expect(() => createOrgkit({ telemetry: true as never })).toThrowError(
      /createOrgkit: telemetry/,
    );
    expect(() => createOrgkit({ telemetry: false })).not.toThrow();
  });

  it('asks for a client id only when a token is verified', async () => {
    const { db, close } = await openTestDatabase({ url: undefined });
    const previous = process.env.WORKOS_CLIENT_ID;
    delete process.env.WORKOS_CLIENT_ID;
    try {
      const orgkit = createOrgkit({ database: db });
      await expect(orgkit.verifyAccessToken('a.b.c')).rejects.toMatchObject({
        code: 'invalid_config',
        message: expect.stringContaining('clientId'),
      });
    } finally {
      if (previous !== undefined) process.env.WORKOS_CLIENT_ID = previous;
      await close();
    }
  });

  it('two instances never share a request scope', async () => {
    const { db, close } = await openTestDatabase({ url: undefined });
    try {
      const a = createOrgkit({ database: db });
      const b = createOrgkit({ database: db });
      a.runWithRequestScope({ requestId: 'in-a' }, () => {
        expect(a.getRequestScope()?.requestId).toBe('in-a');
        expect(b.getRequestScope()).toBeUndefined();
      });
    } finally {
      await close();
    }
  });
});

describe('requireAuth and the request scope', () => {
  it('throws unauthenticated outside a scope and in a scope without a session', async () => {
    const { db, close } = await openTestDatabase({ url: undefined });
    try {
      const orgkit = createOrgkit({ database: db });
      expect(() => orgkit.requireAuth()).toThrow(OrgkitError);
      expect(() => orgkit.requireAuth()).toThrowError(
        expect.objectContaining({ reason: 'no_request_scope' }),
      );
      orgkit.runWithRequestScope({}, () => {
        expect(() => orgkit.requireAuth()).toThrowError(
          expect.objectContaining({ code: 'unauthenticated', reason: 'no_session' }),
        );
      });
    } finally {
      await close();
    }
  });

  it("keeps each request's scope through nested async work, across 1,000 interleaved requests", async () => {
    const { db, close } = await openTestDatabase({ url: undefined });
    try {
      const orgkit = createOrgkit({ database: db });
      const seen = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          orgkit.runWithRequestScope(
            { session: sessionFor(`user_${i}`), requestId: `req_${i}` },
            async () => {
              await new Promise((r) => setTimeout(r, (i * 7) % 5));
              await Promise.resolve();
              const scope = orgkit.getRequestScope();
              return `${orgkit.requireAuth().userId}|${scope?.requestId}`;
            },
          ),
        ),
      );
      expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => `user_${i}|req_${i}`));
    } finally {
      await close();
    }
  });
});
