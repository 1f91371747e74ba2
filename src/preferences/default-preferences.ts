import * as z from 'zod';

/**
 * The seed app's preferences (seed 3.4) with its defaults: the schema orgkit uses unless the
 * app passes its own. Every key needs a default, so a user who changed nothing reads these.
 *
 * @example
 * ```ts
 * const schema = defaultPreferencesSchema.extend({ digest: z.enum(['daily', 'weekly']).default('weekly') })
 * createOrgkit({ database: db, preferences: { schema } })
 * ```
 */
export const defaultPreferencesSchema = z.object({
  securityAlerts: z.boolean().default(true),
  newDeviceAlerts: z.boolean().default(false),
  emailNotifications: z.boolean().default(true),
  inAppNotifications: z.boolean().default(true),
  unusualTimingAlerts: z.boolean().default(true),
  locationChangeAlerts: z.boolean().default(true),
  theme: z.enum(['light', 'dark', 'system']).default('light'),
  language: z.enum(['en', 'es', 'pt', 'br']).default('en'),
});

/** The type of {@link defaultPreferencesSchema}. */
export type DefaultPreferencesSchema = typeof defaultPreferencesSchema;

/** The seed's preferences: what `getUserPreferences` returns with the default schema. */
export type DefaultPreferences = z.output<DefaultPreferencesSchema>;
