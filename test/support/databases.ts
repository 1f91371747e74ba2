import { createTestDatabase, type TestDatabase } from '../../src/testing/database.js';

/** The databases every database test runs on: PGlite always, the real server when DATABASE_URL is set. */
export const DATABASE_TARGETS: { name: string; url: string | undefined }[] = [
  { name: 'pglite', url: undefined },
  ...(process.env.DATABASE_URL ? [{ name: 'postgres', url: process.env.DATABASE_URL }] : []),
];

/** Opens a private database for one test on the given target. */
export function openTestDatabase(target: { url: string | undefined }): Promise<TestDatabase> {
  return createTestDatabase({ url: target.url });
}
