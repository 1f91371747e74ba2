import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { AuditRecorder } from '../audit/recorder.js';
import type { RequestScopeStore } from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { changedValues, lockStored } from './audited-write.js';
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
  /**
   * Records `preferences.updated` / `preferences.reset` in the write's transaction.
   * `createOrgkit` always passes it; without it (a capability built alone) nothing is recorded.
   */
  recordAudit?: AuditRecorder | undefined;
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

  /**
   * Records the keys whose effective value (stored or default) changed; nothing when none did.
   * Actor and organization come from the session; a call without one (a job or script naming
   * the user) is recorded as the `preferences` system without an organization.
   */
  const record = async (
    tx: OrgkitDatabase,
    action: 'preferences.updated' | 'preferences.reset',
    userId: string,
    before: P,
    after: P,
  ) => {
    const { oldValues, newValues } = changedValues(before, after);
    if (!deps.recordAudit || Object.keys({ ...oldValues, ...newValues }).length === 0) return;
    const session = scope.current()?.session;
    await deps.recordAudit(
      [
        {
          action,
          resourceType: 'user_preferences',
          resourceId: userId,
          changes: { oldValues, newValues },
          ...(session ? {} : { actor: { system: 'preferences' }, organizationId: null }),
        },
      ],
      { tx },
    );
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
      const merged = await db.transaction(async (tx) => {
        // The row is made to exist, then locked, so the values read are the ones replaced.
        const before = await lockStored(tx, table, id, scopeOrganizationOf(scope, id));
        // `||` merges at the top level: concurrent updates of different keys both survive.
        const [row] = await tx
          .update(table)
          .set({
            preferences: sql`${table.preferences} || ${JSON.stringify(patch)}::jsonb`,
            updatedAt: sql`now()`,
          })
          .where(eq(table.workosUserId, id))
          .returning({ preferences: table.preferences });
        const after = compiled.merge(row?.preferences);
        await record(tx, 'preferences.updated', id, compiled.merge(before), after);
        return after;
      });
      remember(id, Promise.resolve(merged));
      return { ...merged };
    },

    async resetToDefaults(userId) {
      const id = resolveUserId(scope, userId, 'resetToDefaults');
      const defaults = compiled.merge(undefined);
      await db.transaction(async (tx) => {
        const [row] = await tx
          .select({ preferences: table.preferences })
          .from(table)
          .where(eq(table.workosUserId, id))
          .for('update');
        if (!row) return;
        await tx
          .update(table)
          .set({ preferences: {}, updatedAt: sql`now()` })
          .where(eq(table.workosUserId, id));
        await record(tx, 'preferences.reset', id, compiled.merge(row.preferences), defaults);
      });
      remember(id, Promise.resolve(defaults));
      return { ...defaults };
    },

    getDefaultPreferences: () => compiled.merge(undefined),
  };
}
