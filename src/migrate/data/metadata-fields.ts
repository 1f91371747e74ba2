import { isOrgkitError } from '../../errors/index.js';
import type { CompiledPreferences } from '../../preferences/compile-schema.js';
import type { ClerkMetadataWarning } from './metadata-warnings.js';

type Metadata = Readonly<Record<string, unknown>> | undefined;

// `unsafe_metadata` is writable by the user from the browser: a key is shown only when it looks
// like a step or preference name, never as free text.
const SHOWABLE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const fieldOf = (base: string, key: string) =>
  SHOWABLE_KEY.test(key) ? `${base}.${key}` : `${base}.(a key not shown)`;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The configured steps `unsafe_metadata.expertSetup` marks complete (`{ profile: true, … }`),
 * or `present: false` when the user has no expert setup (seed 3.6 creates none then).
 * @internal
 */
export function readExpertSetup(
  unsafeMetadata: Metadata,
  steps: readonly string[],
): { present: boolean; completed: string[]; warnings: ClerkMetadataWarning[] } {
  const base = 'unsafe_metadata.expertSetup';
  const raw = unsafeMetadata?.expertSetup;
  if (raw === undefined || raw === null) return { present: false, completed: [], warnings: [] };
  if (!isPlainObject(raw)) {
    return {
      present: false,
      completed: [],
      warnings: [
        { code: 'invalid_expert_setup', field: base, reason: 'expected an object of steps' },
      ],
    };
  }
  const warnings: ClerkMetadataWarning[] = [];
  const completed = new Set<string>();
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (!steps.includes(key)) {
      warnings.push({
        code: 'unknown_expert_setup_step',
        field: fieldOf(base, key),
        reason: 'not a configured expert setup step',
      });
    } else if (typeof value !== 'boolean') {
      warnings.push({
        code: 'invalid_expert_setup_step',
        field: fieldOf(base, key),
        reason: 'expected true or false',
      });
    } else if (value) {
      completed.add(key);
    }
  }
  // In the configured order, as the expert-setup module reports steps.
  return { present: true, completed: steps.filter((s) => completed.has(s)), warnings };
}

/**
 * The preferences `public_metadata.securityPreferences` sets, each checked against the app's
 * preferences schema on its own, so one bad value is reported and the others still move.
 * @internal
 */
export function readSecurityPreferences(
  publicMetadata: Metadata,
  preferences: CompiledPreferences<Record<string, unknown>>,
): { patch: Record<string, unknown>; warnings: ClerkMetadataWarning[] } {
  const base = 'public_metadata.securityPreferences';
  const raw = publicMetadata?.securityPreferences;
  if (raw === undefined || raw === null) return { patch: {}, warnings: [] };
  if (!isPlainObject(raw)) {
    return {
      patch: {},
      warnings: [
        {
          code: 'invalid_security_preferences',
          field: base,
          reason: 'expected an object of preferences',
        },
      ],
    };
  }
  const known = new Set(Object.keys(preferences.merge(undefined)));
  const patch: Record<string, unknown> = {};
  const warnings: ClerkMetadataWarning[] = [];
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) {
      warnings.push({
        code: 'unknown_preference',
        field: fieldOf(base, key),
        reason: 'not a preference of the schema',
      });
      continue;
    }
    try {
      Object.assign(patch, preferences.parsePatch({ [key]: raw[key] }, base));
    } catch (error) {
      if (!isOrgkitError(error) || error.code !== 'invalid_input') throw error;
      warnings.push({
        code: 'invalid_preference',
        field: fieldOf(base, key),
        reason: 'the value does not fit the preferences schema',
      });
    }
  }
  return { patch, warnings };
}
