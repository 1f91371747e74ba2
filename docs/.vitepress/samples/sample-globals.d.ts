// What the docs' samples use without defining it, as a reader has it in their own app: the orgkit
// instance of "Getting started", its database, and a few values a request brings. Samples that
// define one of these names themselves shadow it.
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Orgkit } from 'orgkit';

declare global {
  /** `createOrgkit(...)` with the default access control (the seed's roles). */
  const orgkit: Orgkit;
  /** The app's drizzle database. */
  const db: NodePgDatabase;
  const bearerToken: string;
  const ipAddress: string | undefined;
  const userAgent: string | undefined;
  const userId: string;
  const organizationId: string;
  /** A submitted form's fields. */
  const form: Record<string, string>;
}
