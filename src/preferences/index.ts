export type { PreferencesSchema } from './compile-schema.js';
export type { PreferencesApi, PreferencesDeps } from './create-preferences.js';
export { createPreferences } from './create-preferences.js';
export type { DefaultPreferences, DefaultPreferencesSchema } from './default-preferences.js';
export { defaultPreferencesSchema } from './default-preferences.js';
