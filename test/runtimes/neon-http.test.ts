import { neon } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import { describe, expect, it } from 'vitest';
import { createOrgkit } from '../../src/create-orgkit.js';
import { isOrgkitError } from '../../src/errors/index.js';

// Neon's HTTP `neon()` function runs one statement or a fixed batch per request, never an
// interactive transaction. The calls that need one say so before any request is sent (the
// endpoint here does not exist: reaching it would fail differently).
describe("Neon's HTTP driver", () => {
  const db = drizzle({ client: neon('postgres://user:pass@neon-http.invalid/db') });
  const orgkit = createOrgkit({ database: db, session: { jwksUrl: 'http://127.0.0.1:1/jwks' } });
  const system = { actor: { system: 'neon-test' } } as const;

  it.each([
    [
      'withRls',
      () =>
        orgkit.runWithRequestScope(
          { session: { userId: 'u1', roles: [], permissions: [] } as never },
          () => orgkit.withRls(async () => 1),
        ),
    ],
    ['updateUserPreferences', () => orgkit.updateUserPreferences('u1', { theme: 'dark' }, system)],
    [
      'a drizzle transaction through orgkit.database',
      () => orgkit.database.transaction(async () => 1),
    ],
  ])(
    '%s fails with invalid_config / no_interactive_transactions, naming the WebSocket driver',
    async (_name, call) => {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isOrgkitError(error) && [error.code, error.reason]).toEqual([
        'invalid_config',
        'no_interactive_transactions',
      ]);
      expect((error as Error).message).toMatch(/drizzle-orm\/neon-serverless/);
    },
  );
});
