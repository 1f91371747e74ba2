import { createHash } from 'node:crypto';

/** A WorkOS Audit Logs metadata value. */
export type WorkOSMetadataValue = string | number | boolean;

/** WorkOS's limits on one metadata object. */
export const WORKOS_METADATA_LIMITS = { maxKeys: 50, maxKeyLength: 40, maxValueLength: 500 };

/** One flattened entry, and whether flattening had to shorten its value. */
export interface FlatEntry {
  key: string;
  value: WorkOSMetadataValue;
  cut: boolean;
}

const { maxKeyLength, maxValueLength } = WORKOS_METADATA_LIMITS;
const ELLIPSIS = '…';

// Cuts to at most `max` UTF-16 units without splitting a surrogate pair, so the result is
// within the limit however WorkOS counts characters.
function cutTo(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/** `text` within the value limit; a cut value ends in "…". @internal */
export function limitValue(text: string): { value: string; cut: boolean } {
  if (text.length <= maxValueLength) return { value: text, cut: false };
  return { value: cutTo(text, maxValueLength - ELLIPSIS.length) + ELLIPSIS, cut: true };
}

/**
 * `key` within the key limit. A longer key keeps its start and ends in "~" and 8 hex digits of
 * its SHA-256, so two long keys sharing a prefix stay apart and the same key always maps alike.
 * The empty key, which WorkOS cannot show, becomes "_".
 * @internal
 */
export function limitKey(key: string): string {
  if (key === '') return '_';
  if (key.length <= maxKeyLength) return key;
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${cutTo(key, maxKeyLength - 9)}~${digest}`;
}

/**
 * Flattens stored metadata into WorkOS's flat string/number/boolean map: nested objects become
 * dotted keys (`{ visit: { id: 1 } }` → `visit.id`), arrays become their JSON text, `null` and
 * empty objects are left out, strings longer than 500 characters are cut (ending in "…"), and
 * keys longer than 40 characters are shortened. Entries come in the stored object's key order;
 * a key that repeats one already produced (`"a.b"` next to `{ a: { b } }`) is left out.
 * @internal
 */
export function flattenMetadata(metadata: Record<string, unknown> | null | undefined): {
  entries: FlatEntry[];
  dropped: number;
} {
  const entries: FlatEntry[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  const add = (path: string, value: WorkOSMetadataValue, cut: boolean) => {
    const key = limitKey(path);
    if (seen.has(key)) {
      dropped++;
      return;
    }
    seen.add(key);
    entries.push({ key, value, cut });
  };
  const visit = (path: string, value: unknown) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'string') {
      const limited = limitValue(value);
      add(path, limited.value, limited.cut);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      add(path, value, false);
    } else if (Array.isArray(value)) {
      const limited = limitValue(JSON.stringify(value));
      add(path, limited.value, limited.cut);
    } else if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        visit(path === '' ? key : `${path}.${key}`, item);
      }
    } else {
      const limited = limitValue(String(value));
      add(path, limited.value, limited.cut);
    }
  };
  if (metadata) {
    for (const [key, item] of Object.entries(metadata)) visit(key, item);
  }
  return { entries, dropped };
}
