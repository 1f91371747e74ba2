import { sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../../src/db/database.js';
import { rowsOf } from '../../../src/db/database.js';
import { generatedUser } from '../generated-user.js';
import { clerkJsonUser, type UserModel } from '../input/support.js';

const CLERK_ROLES = ['top_expert', 'admin', undefined, 'not_a_seed_role'] as const;
const APP_ROLE: Record<string, string> = { top_expert: 'expert_top', admin: 'admin' };

/** How one valid user of a generated export must come out. */
export interface ExpectedJsonUser {
  readonly clerkUserId: string;
  readonly email: string;
  readonly verified: boolean;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly passwordHash?: string;
  readonly passwordNotImported: boolean;
  readonly totp: boolean;
  /** `users.role` after the import. */
  readonly appRole: string;
  /** Steps marked complete in `expert_setup`, or undefined for no row. */
  readonly steps?: readonly string[];
  /** Stored preference keys (only those that differ from nothing stored). */
  readonly preferences: Record<string, unknown>;
}

/**
 * A generated Clerk Backend API (JSON) export: `count` valid users (verified and unverified
 * primary addresses, extra addresses, bcrypt and non-importable digests, TOTP secrets, missing
 * and unicode names, roles, expert setup and security preferences in metadata) followed by bad
 * records: a duplicate email, a duplicate id, a malformed address, no address at all.
 */
export function generateJsonExport(count: number, idPrefix = 'user_json', withBadRecords = true) {
  const users: Record<string, unknown>[] = [];
  const expected: ExpectedJsonUser[] = [];
  for (let i = 0; i < count; i++) {
    const user = generatedUser(i, idPrefix, `Zoë ${i} 山田`);
    const clerkRole = CLERK_ROLES[i % CLERK_ROLES.length];
    const steps = i % 3 === 0 ? undefined : i % 3 === 1 ? ['profile'] : ['profile', 'events'];
    const preferences: Record<string, unknown> =
      i % 4 === 1 ? { securityAlerts: false, theme: 'dark' } : {};
    const model: UserModel = {
      ...user.model,
      otherUnverified: i % 10 === 0 ? [`unverified.${i}@example.net`] : [],
      publicMetadata: {
        ...(clerkRole ? { role: clerkRole } : {}),
        ...(Object.keys(preferences).length ? { securityPreferences: preferences } : {}),
      },
    };
    users.push({
      ...clerkJsonUser(model),
      unsafe_metadata: steps
        ? { expertSetup: Object.fromEntries(steps.map((s) => [s, true])) }
        : {},
    });
    expected.push({
      ...user.expected,
      appRole: (clerkRole && APP_ROLE[clerkRole]) ?? 'user',
      ...(steps ? { steps } : {}),
      preferences,
    });
  }
  const first = users[0]!;
  const bad = !withBadRecords
    ? []
    : [
        { ...users[1]!, id: `${idPrefix}bad_dupemail` },
        {
          ...users[2]!,
          email_addresses: [
            {
              id: 'idn_0',
              email_address: 'other@example.com',
              verification: { status: 'verified' },
            },
          ],
        },
        {
          ...first,
          id: `${idPrefix}bad_noat`,
          email_addresses: [{ id: 'idn_0', email_address: 'not-an-email', verification: null }],
        },
        {
          ...first,
          id: `${idPrefix}bad_noemail`,
          email_addresses: [],
          primary_email_address_id: null,
        },
      ];
  return {
    json: JSON.stringify([...users, ...bad], null, 1),
    expected,
    /** Record numbers (1-based) of the bad records, in order. */
    badRecords: bad.map((_, i) => count + i + 1),
  };
}

/** The seed app's `events` table, its rows naming experts by Clerk id (rewritten in place). */
export async function createEventsTable(db: OrgkitDatabase, clerkIds: readonly string[]) {
  await db.execute(sql`
    CREATE TABLE events (id serial PRIMARY KEY, clerk_user_id text, org_id text, title text NOT NULL)`);
  await db.execute(sql`CREATE INDEX events_clerk_user_id_idx ON events (clerk_user_id)`);
  for (const [i, id] of clerkIds.entries()) {
    await db.execute(
      sql`INSERT INTO events (clerk_user_id, title) VALUES (${id}, ${`event ${i}`})`,
    );
  }
}

export const EVENTS_APP_DATA = {
  tables: [{ table: 'events', clerkUserIdColumn: 'clerk_user_id', organizationIdColumn: 'org_id' }],
  batchSize: 7,
};

/**
 * What a migration left in the database, without WorkOS ids or timestamps (two runs make other
 * ids): users by email with role, setup and preferences, and app rows by their user's email.
 */
export async function databaseShape(db: OrgkitDatabase) {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT u.email, u.first_name, u.last_name, u.role, e.setup_status, e.setup_complete,
        e.workos_org_id IS NOT NULL AS setup_has_org, p.preferences,
        p.workos_org_id IS NOT NULL AS prefs_have_org
      FROM users u
      LEFT JOIN expert_setup e ON e.workos_user_id = u.workos_user_id
      LEFT JOIN user_preferences p ON p.workos_user_id = u.workos_user_id
      ORDER BY u.email`),
  );
  const hasEvents = rowsOf(await db.execute(sql`SELECT to_regclass('events') AS t`))[0] as {
    t: string | null;
  };
  const events = !hasEvents.t
    ? []
    : rowsOf<Record<string, unknown>>(
        await db.execute(sql`
      SELECT ev.id, ev.title, u.email, ev.org_id IS NOT NULL AS has_org
      FROM events ev LEFT JOIN users u ON u.workos_user_id = ev.clerk_user_id ORDER BY ev.id`),
      );
  return {
    users: rows.map((r) => JSON.stringify(r)),
    events: events.map((r) => JSON.stringify(r)),
  };
}

/** The rows a migration writes or an undo restores, every column as text, in a stable order. */
export async function databaseSnapshot(db: OrgkitDatabase, appTables: readonly string[] = []) {
  const dump = async (query: ReturnType<typeof sql>) =>
    rowsOf<Record<string, unknown>>(await db.execute(query)).map((r) => JSON.stringify(r));
  return {
    users: await dump(
      sql`SELECT workos_user_id, email, first_name, last_name, role, updated_at::text FROM users ORDER BY email`,
    ),
    expertSetup: await dump(
      sql`SELECT workos_user_id, workos_org_id, setup_status, setup_complete, setup_completed_at::text, updated_at::text FROM expert_setup ORDER BY workos_user_id`,
    ),
    preferences: await dump(
      sql`SELECT workos_user_id, workos_org_id, preferences, updated_at::text FROM user_preferences ORDER BY workos_user_id`,
    ),
    profiles: await dump(
      sql`SELECT p.*, p.created_at::text AS created, p.updated_at::text AS updated FROM orgkit_clerk_profiles p ORDER BY workos_user_id`,
    ),
    ...Object.fromEntries(
      await Promise.all(
        appTables.map(async (t) => [
          t,
          await dump(sql`SELECT * FROM ${sql.identifier(t)} ORDER BY id`),
        ]),
      ),
    ),
  };
}
