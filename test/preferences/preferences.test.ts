import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { RequestScopeStore } from '../../src/context/index.js';
import { rowsOf } from '../../src/db/database.js';
import { createOrgkitTables } from '../../src/db/tables.js';
import {
  createPreferences,
  type defaultPreferencesSchema,
  type PreferencesSchema,
} from '../../src/preferences/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { JOB, rejection, sessionFor } from './support.js';

const SEED_DEFAULTS = {
  securityAlerts: true,
  newDeviceAlerts: false,
  emailNotifications: true,
  inAppNotifications: true,
  unusualTimingAlerts: true,
  locationChangeAlerts: true,
  theme: 'light',
  language: 'en',
};

async function open<S extends PreferencesSchema = typeof defaultPreferencesSchema>(
  target: { url: string | undefined },
  schema?: S,
) {
  const database = await openTestDatabase(target);
  const tables = createOrgkitTables();
  const scope = new RequestScopeStore();
  const prefs = createPreferences({ db: database.db, tables, scope, schema });
  const stored = async (userId: string) => {
    const rows = await database.db
      .select({ preferences: tables.userPreferences.preferences })
      .from(tables.userPreferences)
      .where(eq(tables.userPreferences.workosUserId, userId));
    return rows.map((r) => r.preferences);
  };
  return { ...database, tables, scope, prefs, stored };
}

describe.each(DATABASE_TARGETS)('preferences on $name', (target) => {
  it('gives a user without a row the seed defaults and writes nothing on read', async () => {
    const t = await open(target);
    try {
      expect(t.prefs.getDefaultPreferences()).toEqual(SEED_DEFAULTS);
      expect(await t.prefs.getUserPreferences('user_new', JOB)).toEqual(SEED_DEFAULTS);
      expect(await t.stored('user_new')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('stores only the keys given and merges them over the defaults', async () => {
    const t = await open(target);
    try {
      const afterTheme = await t.prefs.updateUserPreferences('user_1', { theme: 'dark' }, JOB);
      expect(afterTheme).toEqual({ ...SEED_DEFAULTS, theme: 'dark' });
      await t.prefs.updateUserPreferences('user_1', { newDeviceAlerts: true, language: 'pt' }, JOB);
      expect(await t.stored('user_1')).toEqual([
        { theme: 'dark', newDeviceAlerts: true, language: 'pt' },
      ]);
      expect(await t.prefs.getUserPreferences('user_1', JOB)).toEqual({
        ...SEED_DEFAULTS,
        theme: 'dark',
        newDeviceAlerts: true,
        language: 'pt',
      });
      expect(await t.prefs.getUserPreferences('user_2', JOB)).toEqual(SEED_DEFAULTS);
    } finally {
      await t.close();
    }
  });

  it('rejects an unknown key, a wrong type or a bad enum value, naming the key, and changes nothing', async () => {
    const t = await open(target);
    try {
      await t.prefs.updateUserPreferences('user_1', { theme: 'dark' }, JOB);
      const cases: [unknown, string][] = [
        [{ language: 'es', colour: 'blue' }, 'colour'],
        [{ securityAlerts: 'yes' }, 'securityAlerts'],
        [{ theme: 'neon' }, 'theme'],
        [{ language: 'fr', theme: 'system' }, 'language'],
      ];
      for (const [input, key] of cases) {
        const error = await rejection(t.prefs.updateUserPreferences('user_1', input as never, JOB));
        expect(error.code).toBe('invalid_input');
        expect(error.message).toContain(key);
        expect(error.details).toEqual({ key });
      }
      for (const input of [null, 'dark', ['theme']]) {
        const error = await rejection(t.prefs.updateUserPreferences('user_1', input as never, JOB));
        expect(error.code).toBe('invalid_input');
      }
      expect(
        (await rejection(t.prefs.updateUserPreferences('', { theme: 'dark' }, JOB))).code,
      ).toBe('invalid_input');
      expect(await t.stored('user_1')).toEqual([{ theme: 'dark' }]);
      expect(await t.stored('')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('keeps every key when 50 callers update different keys at once', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `flag${i}`);
    const schema = z.object(Object.fromEntries(keys.map((k) => [k, z.boolean().default(false)])));
    const t = await open(target, schema);
    try {
      await Promise.all(
        keys.map((key) => t.prefs.updateUserPreferences('user_1', { [key]: true }, JOB)),
      );
      const all = await t.prefs.getUserPreferences('user_1', JOB);
      expect(Object.values(all)).toEqual(keys.map(() => true));
      expect(await t.stored('user_1')).toEqual([Object.fromEntries(keys.map((k) => [k, true]))]);
    } finally {
      await t.close();
    }
  });

  it('resets to the defaults, and a reset of a user without a row writes nothing', async () => {
    const t = await open(target);
    try {
      await t.prefs.updateUserPreferences(
        'user_1',
        { theme: 'dark', emailNotifications: false },
        JOB,
      );
      expect(await t.prefs.resetToDefaults('user_1', JOB)).toEqual(SEED_DEFAULTS);
      expect(await t.prefs.getUserPreferences('user_1', JOB)).toEqual(SEED_DEFAULTS);
      expect(await t.stored('user_1')).toEqual([{}]);
      expect(await t.prefs.resetToDefaults('user_2', JOB)).toEqual(SEED_DEFAULTS);
      expect(await t.stored('user_2')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('reads old rows after the schema changes: new keys default, removed keys and removed enum values never break a read', async () => {
    const before = z.object({
      theme: z.enum(['light', 'dark', 'sepia']).default('light'),
      legacyBanner: z.boolean().default(true),
      emailNotifications: z.boolean().default(true),
    });
    const after = z.object({
      theme: z.enum(['light', 'dark']).default('dark'),
      emailNotifications: z.boolean().default(true),
      digest: z.enum(['daily', 'weekly']).default('weekly'),
    });
    const t = await open(target, before);
    try {
      await t.prefs.updateUserPreferences(
        'user_1',
        {
          theme: 'sepia',
          legacyBanner: false,
          emailNotifications: false,
        },
        JOB,
      );
      const evolved = createPreferences({
        db: t.db,
        tables: t.tables,
        scope: t.scope,
        schema: after,
      });
      expect(await evolved.getUserPreferences('user_1', JOB)).toEqual({
        theme: 'dark',
        emailNotifications: false,
        digest: 'weekly',
      });
      expect(await evolved.updateUserPreferences('user_1', { digest: 'daily' }, JOB)).toEqual({
        theme: 'dark',
        emailNotifications: false,
        digest: 'daily',
      });
      const error = await rejection(
        evolved.updateUserPreferences('user_1', { legacyBanner: true } as never, JOB),
      );
      expect(error.details).toEqual({ key: 'legacyBanner' });
    } finally {
      await t.close();
    }
  });

  it('caches a read for the rest of the request and refreshes it on update', async () => {
    const t = await open(target);
    try {
      await t.prefs.updateUserPreferences('user_1', { theme: 'dark' }, JOB);
      const setThemeBehindOrgkit = (theme: string) =>
        t.db.execute(
          sql`UPDATE user_preferences SET preferences = jsonb_build_object('theme', ${theme}::text) WHERE workos_user_id = 'user_1'`,
        );
      await t.scope.run({}, async () => {
        expect((await t.prefs.getUserPreferences('user_1', JOB)).theme).toBe('dark');
        await setThemeBehindOrgkit('system');
        // Same request: served from the request's memo, no second query.
        expect((await t.prefs.getUserPreferences('user_1', JOB)).theme).toBe('dark');
        const updated = await t.prefs.updateUserPreferences('user_1', { language: 'es' }, JOB);
        expect(updated).toMatchObject({ theme: 'system', language: 'es' });
        expect(await t.prefs.getUserPreferences('user_1', JOB)).toMatchObject({
          theme: 'system',
          language: 'es',
        });
        await t.prefs.resetToDefaults('user_1', JOB);
        expect(await t.prefs.getUserPreferences('user_1', JOB)).toEqual(SEED_DEFAULTS);
      });
      await setThemeBehindOrgkit('dark');
      // A new request reads the database again.
      await t.scope.run({}, async () => {
        expect((await t.prefs.getUserPreferences('user_1', JOB)).theme).toBe('dark');
      });
      // A caller mutating its result does not change what the next read returns.
      await t.scope.run({}, async () => {
        const first = await t.prefs.getUserPreferences('user_1', JOB);
        first.theme = 'light';
        expect((await t.prefs.getUserPreferences('user_1', JOB)).theme).toBe('dark');
      });
    } finally {
      await t.close();
    }
  });

  it('accepts a schema built with zod/mini', async () => {
    const schema = zm.object({
      theme: zm._default(zm.enum(['light', 'dark']), 'light'),
      fontSize: zm._default(zm.number().check(zm.minimum(10)), 14),
    });
    const t = await open(target, schema);
    try {
      expect(await t.prefs.getUserPreferences('user_1', JOB)).toEqual({
        theme: 'light',
        fontSize: 14,
      });
      expect(await t.prefs.updateUserPreferences('user_1', { fontSize: 18 }, JOB)).toEqual({
        theme: 'light',
        fontSize: 18,
      });
      const error = await rejection(t.prefs.updateUserPreferences('user_1', { fontSize: 2 }, JOB));
      expect(error.details).toEqual({ key: 'fontSize' });
      expect(await t.stored('user_1')).toEqual([{ fontSize: 18 }]);
    } finally {
      await t.close();
    }
  });

  it("reads and writes the request's session user when no user id is given", async () => {
    const t = await open(target);
    try {
      await t.scope.run(
        { session: sessionFor('user_me', { organizationId: 'org_1' }) },
        async () => {
          await t.prefs.updateUserPreferences(undefined, { theme: 'system' });
          expect((await t.prefs.getUserPreferences()).theme).toBe('system');
        },
      );
      expect((await t.prefs.getUserPreferences('user_me', JOB)).theme).toBe('system');
      const [row] = rowsOf<{ workos_org_id: string | null }>(
        await t.db.execute(
          sql`SELECT workos_org_id FROM user_preferences WHERE workos_user_id = 'user_me'`,
        ),
      );
      expect(row?.workos_org_id).toBe('org_1');
      expect((await rejection(t.prefs.getUserPreferences())).code).toBe('unauthenticated');
      await t.scope.run({}, async () => {
        const error = await rejection(t.prefs.updateUserPreferences(undefined, { theme: 'dark' }));
        expect(error).toMatchObject({ code: 'unauthenticated', reason: 'no_session' });
      });
    } finally {
      await t.close();
    }
  });
});

describe('preferences schema', () => {
  it('refuses a schema with a preference that has no default, naming it', async () => {
    const t = await openTestDatabase({ url: undefined });
    try {
      const schema = z.object({
        theme: z.enum(['light', 'dark']).default('light'),
        locale: z.string(),
      });
      expect(() =>
        createPreferences({
          db: t.db,
          tables: createOrgkitTables(),
          scope: new RequestScopeStore(),
          schema,
        }),
      ).toThrowError(
        expect.objectContaining({
          code: 'invalid_config',
          message: expect.stringContaining('locale'),
        }),
      );
    } finally {
      await t.close();
    }
  });
});
