import { OrgkitError } from '../errors/index.js';

/** A value that survives `jsonb` unchanged. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object, as stored in `old_values`, `new_values` and `metadata`. */
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 32;

function reject(what: string, path: string, problem: string): never {
  throw new OrgkitError('invalid_input', `${what}: ${path}: ${problem}`, {
    details: { key: path },
  });
}

function toJson(
  value: unknown,
  what: string,
  path: string,
  depth: number,
  seen: Set<object>,
): JsonValue | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      // Postgres text and jsonb cannot hold U+0000.
      if (value.includes('\u0000')) reject(what, path, 'contains a NUL character');
      return value;
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) reject(what, path, `${value} is not a JSON number`);
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      return reject(what, path, `a ${typeof value} cannot be stored`);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) reject(what, path, 'is an invalid Date');
    return value.toISOString();
  }
  if (depth >= MAX_DEPTH) reject(what, path, `nested deeper than ${MAX_DEPTH} levels`);
  const object = value as object;
  if (seen.has(object)) reject(what, path, 'refers to itself');
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return object.map((item, i) => toJson(item, what, `${path}.${i}`, depth + 1, seen) ?? null);
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      reject(
        what,
        path,
        'only plain objects, arrays, strings, numbers, booleans, null and Dates can be stored',
      );
    }
    const entries: [string, JsonValue][] = [];
    for (const key of Object.keys(object)) {
      if (key.includes('\u0000')) reject(what, path, 'a key contains a NUL character');
      const item = toJson(
        (object as Record<string, unknown>)[key],
        what,
        `${path}.${key}`,
        depth + 1,
        seen,
      );
      if (item !== undefined) entries.push([key, item]);
    }
    // fromEntries defines own properties, so a "__proto__" key stays data, never a prototype.
    return Object.fromEntries(entries);
  } finally {
    seen.delete(object);
  }
}

/**
 * Copies `value` into plain JSON that `jsonb` stores as it is, or throws `invalid_input` naming
 * the path of the first value that cannot be stored faithfully (functions, symbols, NaN,
 * cycles, class instances, U+0000). Dates become ISO strings, bigints decimal strings, and
 * `undefined` properties are dropped as `JSON.stringify` drops them.
 * @internal
 */
export function toJsonObject(value: unknown, what: string, field: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    reject(what, field, 'expected an object');
  }
  return toJson(value, what, field, 0, new Set()) as JsonObject;
}

/** JSON with object keys sorted, so equal values serialise equally. @internal */
export function stableStringify(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`;
}
