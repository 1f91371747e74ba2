import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { DefaultPreferences, PreferencesApi } from '../../src/preferences/index.js';
import { createPreferences } from '../../src/preferences/index.js';

declare const deps: Omit<Parameters<typeof createPreferences>[0], 'schema'>;

describe('preference types follow from the schema', () => {
  it('types the seed preferences', () => {
    expectTypeOf<DefaultPreferences>().toEqualTypeOf<{
      securityAlerts: boolean;
      newDeviceAlerts: boolean;
      emailNotifications: boolean;
      inAppNotifications: boolean;
      unusualTimingAlerts: boolean;
      locationChangeAlerts: boolean;
      theme: 'light' | 'dark' | 'system';
      language: 'en' | 'es' | 'pt' | 'br';
    }>();
    const prefs = createPreferences(deps);
    expectTypeOf(prefs).toEqualTypeOf<PreferencesApi<DefaultPreferences>>();
    // @ts-expect-error: not a theme
    void prefs.updateUserPreferences('user_1', { theme: 'neon' });
    // @ts-expect-error: not a preference
    void prefs.updateUserPreferences('user_1', { colour: 'blue' });
  });

  it("types an app's own schema", () => {
    const schema = z.object({ digest: z.enum(['daily', 'weekly']).default('weekly') });
    const prefs = createPreferences({ ...deps, schema });
    expectTypeOf(prefs.getUserPreferences).returns.resolves.toEqualTypeOf<{
      digest: 'daily' | 'weekly';
    }>();
    // @ts-expect-error: the seed's keys are not in this schema
    void prefs.updateUserPreferences('user_1', { theme: 'dark' });
  });
});
