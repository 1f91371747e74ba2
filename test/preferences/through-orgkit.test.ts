import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrgkit } from '../../src/index.js';
import { DATABASE_TARGETS, openTestDatabase } from '../support/databases.js';
import { JOB, sessionFor } from './support.js';

describe.each(DATABASE_TARGETS)('preferences through createOrgkit on $name', (target) => {
  it('serves the seed preferences by default, for the session user', async () => {
    const t = await openTestDatabase(target);
    const orgkit = createOrgkit({ database: t.db });
    try {
      expect(orgkit.getDefaultPreferences().theme).toBe('light');
      await orgkit.runWithRequestScope({ session: sessionFor('user_1') }, async () => {
        await orgkit.updateUserPreferences(undefined, { theme: 'dark' });
        expect((await orgkit.getUserPreferences()).theme).toBe('dark');
      });
      expect(await orgkit.resetToDefaults('user_1', JOB)).toEqual(orgkit.getDefaultPreferences());
    } finally {
      await orgkit.close();
      await t.close();
    }
  });

  it("uses the app's schema and names a schema without defaults", async () => {
    const t = await openTestDatabase(target);
    const schema = z.object({ digest: z.enum(['daily', 'weekly']).default('weekly') });
    const orgkit = createOrgkit({
      database: t.db,
      preferences: { schema },
    });
    try {
      expect(await orgkit.updateUserPreferences('user_1', { digest: 'daily' }, JOB)).toEqual({
        digest: 'daily',
      });
      await expect(
        orgkit.updateUserPreferences('user_1', { theme: 'dark' } as never, JOB),
      ).rejects.toMatchObject({ code: 'invalid_input', details: { key: 'theme' } });
      expect(() =>
        createOrgkit({
          database: t.db,
          preferences: { schema: z.object({ digest: z.string() }) },
        }),
      ).toThrowError(
        expect.objectContaining({
          code: 'invalid_config',
          message: expect.stringMatching(/preferences\.schema/),
        }),
      );
    } finally {
      await orgkit.close();
      await t.close();
    }
  });
});
