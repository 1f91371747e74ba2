import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { RequestScopeStore } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { compilePreferencesSchema, type PreferencesSchema } from './compile-schema.js';
import { defaultPreferencesSchema } from './default-preferences.js';
import { resolveUserId, scopeOrganizationOf } from './resolve-user-id.js';

/** What {@link createPreferences} needs. @internal */
export interface PreferencesDeps<S extends PreferencesSchema> {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  scope: RequestScopeStore;
  /** The app's preferences. @default defaultPreferencesSchema (the seed's) */
  schema?: S;
}

/** Typed user preferences (seed 3.4); `P` follows from the app's zod schema. */
export interface PreferencesApi<P> {
  /**
   * The user's preferences: stored values over the defaults. Writes nothing; cached for the
   * rest of the request. Without `userId`, the request's session user.
   */
  getUserPreferences(userId?: string): Promise<P>;
  /**
   * Validates and stores only the given keys (an unknown key, wrong type or bad enum value is
   * `invalid_input` naming the key, and nothing is written). Returns the merged preferences.
   */
  updateUserPreferences(userId: string | undefined, preferences: Partial<P>): Promise<P>;
  /** Forgets every stored value; the user reads the defaults again. */
  resetToDefaults(userId?: string): Promise<P>;
  /** The schema's defaults. */
  getDefaultPreferences(): P;
}

const MEMO_PREFIX = 'orgkit:preferences:';

/**
 * Builds the preferences API over the `user_preferences` table.
 *
 * @example
 * ```ts
 * const prefs = createPreferences({ db, tables, scope, schema: defaultPreferencesSchema })
 * await prefs.updateUserPreferences('user_01H…', { theme: 'dark' })
 * ```
 */
export function createPreferences<S extends PreferencesSchema = typeof defaultPreferencesSchema>(
  deps: PreferencesDeps<S>,
): PreferencesApi<z.output<S>> {
  type P = z.output<S>;
  const { db, scope } = deps;
  const table = deps.tables.userPreferences;
  const compiled = compilePreferencesSchema((deps.schema ?? defaultPreferencesSchema) as S);

  // The memo holds promises, so concurrent reads in one request share one query.
  const remember = (userId: string, value: Promise<P>): void => {
    const memo = scope.current()?.memo;
    if (!memo) return;
    const key = MEMO_PREFIX + userId;
    memo.set(key, value);
    value.catch(() => {
      if (memo.get(key) === value) memo.delete(key);
    });
  };

  const load = async (userId: string): Promise<P> => {
    const [row] = await db
      .select({ preferences: table.preferences })
      .from(table)
      .where(eq(table.workosUserId, userId))
      .limit(1);
    return compiled.merge(row?.preferences);
  };

  const getUserPreferences = async (userId?: string): Promise<P> => {
    const id = resolveUserId(scope, userId, 'getUserPreferences');
    let pending = scope.current()?.memo.get(MEMO_PREFIX + id) as Promise<P> | undefined;
    if (!pending) {
      pending = load(id);
      remember(id, pending);
    }
    return { ...(await pending) };
  };

  return {
    getUserPreferences,

    async updateUserPreferences(userId, preferences) {
      const id = resolveUserId(scope, userId, 'updateUserPreferences');
      const patch = compiled.parsePatch(preferences, 'updateUserPreferences');
      if (Object.keys(patch).length === 0) return getUserPreferences(id);
      // `||` merges at the top level inside the one statement: concurrent updates of
      // different keys both survive, which a read-modify-write would not guarantee.
      const [row] = await db
        .insert(table)
        .values({
          workosUserId: id,
          workosOrgId: scopeOrganizationOf(scope, id),
          preferences: patch,
        })
        .onConflictDoUpdate({
          target: table.workosUserId,
          set: {
            preferences: sql`${table.preferences} || excluded.${sql.identifier(table.preferences.name)}`,
            updatedAt: sql`now()`,
          },
        })
        .returning({ preferences: table.preferences });
      const merged = compiled.merge(row?.preferences);
      remember(id, Promise.resolve(merged));
      return { ...merged };
    },

    async resetToDefaults(userId) {
      const id = resolveUserId(scope, userId, 'resetToDefaults');
      await db
        .update(table)
        .set({ preferences: {}, updatedAt: sql`now()` })
        .where(eq(table.workosUserId, id));
      remember(id, Promise.resolve(compiled.merge(undefined)));
      return compiled.merge(undefined);
    },

    getDefaultPreferences: () => compiled.merge(undefined),
  };
}
