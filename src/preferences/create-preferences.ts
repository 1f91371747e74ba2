import { eq, sql } from 'drizzle-orm';
import type * as z from 'zod';
import type { AuditRecorder } from '../audit/recorder.js';
import {
  type AuthorizedUserAction,
  type AuthorizeUserAction,
  createUserAuthorizer,
  type RequestScopeStore,
  type UserActionOptions,
} from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { changedValues, lockStored } from './audited-write.js';
import { compilePreferencesSchema, type PreferencesSchema } from './compile-schema.js';
import { defaultPreferencesSchema } from './default-preferences.js';
import { scopeOrganizationOf } from './resolve-user-id.js';

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
  /**
   * Who may act on which user (`createOrgkit` passes its configured one). @default the rule
   * with no permission check: the session's own id, or a system actor outside a request
   */
  authorizeUser?: AuthorizeUserAction | undefined;
}

/** Typed user preferences (seed 3.4); `P` follows from the app's zod schema. */
export interface PreferencesApi<P> {
  /**
   * The user's preferences: stored values over the defaults. Writes nothing; cached for the
   * rest of the request. Without `userId`, the request's session user. Another user's needs
   * the manage permission (`users.managePermission`); outside a request, `{ actor: { system } }`.
   */
  getUserPreferences(userId?: string, options?: UserActionOptions): Promise<P>;
  /**
   * Validates and stores only the given keys (an unknown key, wrong type or bad enum value is
   * `invalid_input` naming the key, and nothing is written). Returns the merged preferences.
   * Authorized as {@link PreferencesApi.getUserPreferences}.
   *
   * @example
   * ```ts
   * await orgkit.updateUserPreferences(undefined, { theme: 'dark' }) // the session's user
   * await orgkit.updateUserPreferences(userId, { theme: 'dark' }, { actor: { system: 'import' } }) // a job
   * ```
   */
  updateUserPreferences(
    userId: string | undefined,
    preferences: Partial<P>,
    options?: UserActionOptions,
  ): Promise<P>;
  /** Forgets every stored value; the user reads the defaults again. Authorized as reads are. */
  resetToDefaults(userId?: string, options?: UserActionOptions): Promise<P>;
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
 * await prefs.updateUserPreferences('user_01H…', { theme: 'dark' }, { actor: { system: 'import' } })
 * ```
 */
export function createPreferences<S extends PreferencesSchema = typeof defaultPreferencesSchema>(
  deps: PreferencesDeps<S>,
): PreferencesApi<z.output<S>> {
  type P = z.output<S>;
  const { db, scope } = deps;
  const table = deps.tables.userPreferences;
  const compiled = compilePreferencesSchema((deps.schema ?? defaultPreferencesSchema) as S);
  const authorize = deps.authorizeUser ?? createUserAuthorizer({ scope });

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
   * Actor and organization come from the session; a job or script is recorded as the system it
   * named, without an organization.
   */
  const record = async (
    tx: OrgkitDatabase,
    action: 'preferences.updated' | 'preferences.reset',
    who: AuthorizedUserAction,
    before: P,
    after: P,
  ) => {
    const { oldValues, newValues } = changedValues(before, after);
    if (!deps.recordAudit || Object.keys({ ...oldValues, ...newValues }).length === 0) return;
    await deps.recordAudit(
      [
        {
          action,
          resourceType: 'user_preferences',
          resourceId: who.userId,
          changes: { oldValues, newValues },
          ...('system' in who.actor ? { actor: who.actor, organizationId: null } : {}),
        },
      ],
      { tx },
    );
  };

  const read = (id: string): Promise<P> => {
    let pending = scope.current()?.memo.get(MEMO_PREFIX + id) as Promise<P> | undefined;
    if (!pending) {
      pending = load(id);
      remember(id, pending);
    }
    return pending.then((value) => ({ ...value }));
  };

  return {
    async getUserPreferences(userId, options) {
      const { userId: id } = await authorize('getUserPreferences', userId, options);
      return read(id);
    },

    async updateUserPreferences(userId, preferences, options) {
      const who = await authorize('updateUserPreferences', userId, options);
      const id = who.userId;
      const patch = compiled.parsePatch(preferences, 'updateUserPreferences');
      if (Object.keys(patch).length === 0) return read(id);
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
        await record(tx, 'preferences.updated', who, compiled.merge(before), after);
        return after;
      });
      remember(id, Promise.resolve(merged));
      return { ...merged };
    },

    async resetToDefaults(userId, options) {
      const who = await authorize('resetToDefaults', userId, options);
      const id = who.userId;
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
        await record(tx, 'preferences.reset', who, compiled.merge(row.preferences), defaults);
      });
      remember(id, Promise.resolve(defaults));
      return { ...defaults };
    },

    getDefaultPreferences: () => compiled.merge(undefined),
  };
}
