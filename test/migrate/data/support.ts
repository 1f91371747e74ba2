import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../../src/db/database.js';
import { rowsOf } from '../../../src/db/database.js';
import type {
  ClerkAppDataConfig,
  ClerkIdMapEntry,
  ClerkUserRecord,
} from '../../../src/migrate/index.js';

/** A Clerk record as the JSON export reader yields it, with only what a test sets. */
export function clerkRecord(
  clerkUserId: string,
  fields: Partial<Omit<ClerkUserRecord, 'clerkUserId'>> = {},
): ClerkUserRecord {
  return {
    recordNumber: 1,
    source: 'json',
    clerkUserId,
    primaryEmail: `${clerkUserId.toLowerCase()}@example.test`,
    primaryEmailVerified: true,
    verifiedEmails: [],
    unverifiedEmails: [],
    verifiedPhones: [],
    unverifiedPhones: [],
    presentFields: ['id', 'email_addresses'],
    warnings: [],
    ...fields,
  };
}

/**
 * The seed app's own tables (seed 4.2), trimmed: events and schedules name the expert by Clerk
 * id, rewritten in place; meetings keep the Clerk id and gain the WorkOS id in another column,
 * with the legacy guest columns that must stay NULL.
 */
export async function createSeedAppTables(db: OrgkitDatabase): Promise<void> {
  await db.execute(sql`
    CREATE TABLE events (
      id serial PRIMARY KEY,
      clerk_user_id text,
      org_id text,
      title text NOT NULL
    )`);
  await db.execute(sql`
    CREATE TABLE schedules (
      id serial PRIMARY KEY,
      clerk_user_id text,
      org_id text,
      timezone text
    )`);
  await db.execute(sql`
    CREATE TABLE meetings (
      id serial PRIMARY KEY,
      event_id integer REFERENCES events(id),
      clerk_user_id text,
      workos_user_id text,
      org_id text,
      guest_workos_user_id text,
      guest_org_id text,
      guest_email text
    )`);
}

/** The config a seed app would write for its tables. */
export const SEED_APP_CONFIG: ClerkAppDataConfig = {
  tables: [
    { table: 'events', clerkUserIdColumn: 'clerk_user_id', organizationIdColumn: 'org_id' },
    {
      table: 'schedules',
      clerkUserIdColumn: 'clerk_user_id',
      organizationIdColumn: 'org_id',
      requiredColumns: ['timezone'],
    },
    {
      table: 'meetings',
      clerkUserIdColumn: 'clerk_user_id',
      workosUserIdColumn: 'workos_user_id',
      organizationIdColumn: 'org_id',
    },
  ],
};

/** A map entry with ids shaped like Clerk's and WorkOS's. */
export function mapEntry(n: number): ClerkIdMapEntry {
  return {
    clerkUserId: `user_2clerk${n}`,
    workosUserId: `user_01WORKOS${n}`,
    organizationId: `org_01PERSONAL${n}`,
  };
}

/** Every row of a table, ordered by id, as plain objects. */
export async function tableRows(
  db: OrgkitDatabase,
  table: string,
): Promise<Record<string, unknown>[]> {
  return rowsOf<Record<string, unknown>>(
    await db.execute(sql`SELECT * FROM ${sql.identifier(table)} ORDER BY id`),
  );
}

/** Everything the migration may touch, for "nothing changed" assertions. */
export async function snapshot(db: OrgkitDatabase, tables: readonly string[]) {
  const out: Record<string, unknown> = {};
  for (const t of tables) out[t] = await tableRows(db, t);
  return out;
}
