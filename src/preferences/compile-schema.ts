import * as z from 'zod';
import { OrgkitError, parseInput } from '../errors/index.js';

/**
 * A zod object schema in which every key has a default (`z.boolean().default(true)`).
 * Any zod 4 copy works (classic or mini): orgkit reads the schema's definition, not its class.
 */
export type PreferencesSchema = z.core.$ZodObject;

/** A schema turned into what reads and writes need. @internal */
export interface CompiledPreferences<P> {
  /** Validates a partial update: known keys only, each against its own schema. */
  parsePatch(input: unknown, what: string): Partial<P>;
  /**
   * Stored keys merged over the defaults. Keys the schema no longer has are dropped and values
   * that no longer fit (an enum value removed) fall back to the default, so an old row always reads.
   */
  merge(stored: Record<string, unknown> | null | undefined): P;
}

type AnySchema = z.core.$ZodType;

// A patch must not fill in defaults for the keys it leaves out, or it would overwrite them.
function withoutDefault(field: AnySchema): AnySchema {
  const def = field._zod.def;
  return def.type === 'default' || def.type === 'prefault'
    ? (def as z.core.$ZodDefaultDef).innerType
    : field;
}

function isObjectSchema(value: unknown): value is PreferencesSchema {
  const def = (value as { _zod?: { def?: { type?: unknown } } } | null)?._zod?.def;
  return def?.type === 'object';
}

/** @internal */
export function compilePreferencesSchema<S extends PreferencesSchema>(
  schema: S,
): CompiledPreferences<z.output<S>> {
  type P = z.output<S>;
  if (!isObjectSchema(schema)) {
    throw new OrgkitError(
      'invalid_config',
      'createOrgkit: preferences.schema: expected z.object({...})',
    );
  }
  const parsedDefaults = z.safeParse(schema, {});
  if (!parsedDefaults.success) {
    const key = parsedDefaults.error.issues[0]?.path.join('.') ?? '(root)';
    throw new OrgkitError(
      'invalid_config',
      `createOrgkit: preferences.schema: ${key}: every preference needs a default (.default(...))`,
      { cause: parsedDefaults.error },
    );
  }
  const defaults = Object.freeze(parsedDefaults.data) as Readonly<Record<string, unknown>>;
  const fields = new Map<string, AnySchema>(
    Object.entries(schema._zod.def.shape).map(([k, v]) => [k, withoutDefault(v)]),
  );
  const patchSchema = z
    .looseObject(Object.fromEntries([...fields].map(([k, v]) => [k, z.optional(v)])))
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!fields.has(key)) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'unknown preference' });
        }
      }
    });

  return {
    parsePatch(input, what) {
      const parsed = parseInput(patchSchema, input, what);
      // `{ theme: undefined }` means "not given", as it does for a TypeScript Partial.
      return Object.fromEntries(
        Object.entries(parsed).filter(([, value]) => value !== undefined),
      ) as Partial<P>;
    },
    merge(stored) {
      const merged: Record<string, unknown> = { ...defaults };
      if (!stored) return merged as P;
      for (const [key, field] of fields) {
        if (!Object.hasOwn(stored, key)) continue;
        const result = z.safeParse(field, stored[key]);
        if (result.success && result.data !== undefined) merged[key] = result.data;
      }
      return merged as P;
    },
  };
}
