import { eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';
import type { RowsBefore } from './db-log.js';

// Timestamps travel as Postgres's own text, not as JS dates: a Date keeps milliseconds only, and
// an undo must put back the very value that was there.
const asText = (column: unknown) => sql<string>`${column}::text`;
const nullableText = (column: unknown) => sql<string | null>`${column}::text`;

/**
 * The rows of these users the metadata import may write (users, expert_setup,
 * user_preferences, orgkit_clerk_profiles), as they are now: what the database log keeps so an undo can put them back.
 * @internal
 */
export async function readRowsBefore(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  workosUserIds: readonly string[],
): Promise<Map<string, RowsBefore>> {
  const ids = [...workosUserIds];
  const out = new Map<string, RowsBefore>(
    ids.map((id) => [id, { user: null, expertSetup: null, preferences: null, profile: null }]),
  );
  if (ids.length === 0) return out;
  const u = tables.users;
  const e = tables.expertSetup;
  const p = tables.userPreferences;
  for (const row of await db
    .select({ id: u.workosUserId, role: u.role, updatedAt: asText(u.updatedAt) })
    .from(u)
    .where(inArray(u.workosUserId, ids))) {
    const entry = out.get(row.id);
    if (entry) entry.user = { role: row.role, updatedAt: row.updatedAt };
  }
  for (const row of await db
    .select({
      id: e.workosUserId,
      workosOrgId: e.workosOrgId,
      setupStatus: e.setupStatus,
      setupComplete: e.setupComplete,
      setupCompletedAt: nullableText(e.setupCompletedAt),
      updatedAt: asText(e.updatedAt),
    })
    .from(e)
    .where(inArray(e.workosUserId, ids))) {
    const entry = out.get(row.id);
    if (entry) {
      entry.expertSetup = {
        workosOrgId: row.workosOrgId,
        setupStatus: row.setupStatus,
        setupComplete: row.setupComplete,
        setupCompletedAt: row.setupCompletedAt,
        updatedAt: row.updatedAt,
      };
    }
  }
  for (const row of await db
    .select({
      id: p.workosUserId,
      workosOrgId: p.workosOrgId,
      preferences: p.preferences,
      updatedAt: asText(p.updatedAt),
    })
    .from(p)
    .where(inArray(p.workosUserId, ids))) {
    const entry = out.get(row.id);
    if (entry) {
      entry.preferences = {
        workosOrgId: row.workosOrgId,
        preferences: row.preferences,
        updatedAt: row.updatedAt,
      };
    }
  }
  const c = tables.clerkProfiles;
  for (const row of await db
    .select({
      ...getTableColumns(c),
      createdAt: asText(c.createdAt),
      updatedAt: asText(c.updatedAt),
    })
    .from(c)
    .where(inArray(c.workosUserId, ids))) {
    const entry = out.get(row.workosUserId);
    const { id: _id, workosUserId: _, createdAt, updatedAt, ...values } = row;
    if (entry) entry.profile = { values, createdAt, updatedAt };
  }
  return out;
}

/**
 * Puts one user's rows back as they were before the run, in one transaction: a row the run
 * created is deleted, a row it changed gets its old values back. Running it again changes
 * nothing more, so an interrupted undo is simply repeated. @internal
 */
export async function restoreRows(
  db: OrgkitDatabase,
  tables: OrgkitTables,
  workosUserId: string,
  before: RowsBefore,
): Promise<void> {
  const u = tables.users;
  const e = tables.expertSetup;
  const p = tables.userPreferences;
  await db.transaction(async (tx) => {
    if (before.expertSetup === null) {
      await tx.delete(e).where(eq(e.workosUserId, workosUserId));
    } else {
      const b = before.expertSetup;
      await tx
        .update(e)
        .set({
          workosOrgId: b.workosOrgId,
          setupStatus: b.setupStatus as Record<string, boolean>,
          setupComplete: b.setupComplete,
          setupCompletedAt: sql`${b.setupCompletedAt}::timestamptz`,
          updatedAt: sql`${b.updatedAt}::timestamptz`,
        })
        .where(eq(e.workosUserId, workosUserId));
    }
    if (before.preferences === null) {
      await tx.delete(p).where(eq(p.workosUserId, workosUserId));
    } else {
      const b = before.preferences;
      await tx
        .update(p)
        .set({
          workosOrgId: b.workosOrgId,
          preferences: b.preferences,
          updatedAt: sql`${b.updatedAt}::timestamptz`,
        })
        .where(eq(p.workosUserId, workosUserId));
    }
    const c = tables.clerkProfiles;
    if (!before.profile) {
      await tx.delete(c).where(eq(c.workosUserId, workosUserId));
    } else {
      await tx
        .update(c)
        .set({
          ...(before.profile.values as Partial<typeof c.$inferInsert>),
          createdAt: sql`${before.profile.createdAt}::timestamptz`,
          updatedAt: sql`${before.profile.updatedAt}::timestamptz`,
        })
        .where(eq(c.workosUserId, workosUserId));
    }
    if (before.user === null) {
      await tx.delete(u).where(eq(u.workosUserId, workosUserId));
    } else {
      await tx
        .update(u)
        .set({ role: before.user.role, updatedAt: sql`${before.user.updatedAt}::timestamptz` })
        .where(eq(u.workosUserId, workosUserId));
    }
  });
}
