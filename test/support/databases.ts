import { createTestDatabase, type TestDatabase } from '../../src/testing/database.js';

/**
 * `ORGKIT_TEST_DATABASES=postgres` (CI's server step, `npm run test:servers`) leaves PGlite out:
 * the step before it ran every PGlite target already.
 */
export const PGLITE_TARGETED = process.env.ORGKIT_TEST_DATABASES !== 'postgres';

/** The databases every database test runs on: PGlite, and the real server when DATABASE_URL is set. */
export const DATABASE_TARGETS: { name: string; url: string | undefined }[] = [
  ...(PGLITE_TARGETED ? [{ name: 'pglite', url: undefined }] : []),
  ...(process.env.DATABASE_URL ? [{ name: 'postgres', url: process.env.DATABASE_URL }] : []),
];

/**
 * `ORGKIT_TEST_RLS=1` runs the whole suite with orgkit's default row-level-security policies
 * applied and every query as the non-superuser owner role (`orgkit_owner`, BYPASSRLS), the way
 * orgkit's documented roles run in production. CI sets it for the real server.
 */
export const RLS_APPLIED = process.env.ORGKIT_TEST_RLS === '1';

/**
 * Opens a private database for one test on the given target. `plain: true` gives a database
 * without policies, as the connecting superuser, even under `ORGKIT_TEST_RLS`: for tests whose
 * subject is applying row-level security or roles themselves.
 */
export function openTestDatabase(
  target: { url: string | undefined },
  options: { plain?: boolean; maxConnections?: number } = {},
): Promise<TestDatabase> {
  return createTestDatabase({
    url: target.url,
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
    ...(RLS_APPLIED && !options.plain ? { rls: true } : {}),
  });
}
