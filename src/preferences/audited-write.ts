import { eq } from 'drizzle-orm';
import { type JsonValue, stableStringify, toJsonObject } from '../audit/json-value.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';

type PreferencesTable = OrgkitTables['userPreferences'];

/**
 * The user's stored preferences, with the row locked until `tx` ends. A missing row is inserted
 * empty first (`ON CONFLICT DO NOTHING` waits for a concurrent first write to commit), so two
 * first writes cannot both believe they replaced nothing.
 * @internal
 */
export async function lockStored(
  tx: OrgkitDatabase,
  table: PreferencesTable,
  userId: string,
  organizationId: string | null,
): Promise<Record<string, unknown>> {
  const locked = () =>
    tx
      .select({ preferences: table.preferences })
      .from(table)
      .where(eq(table.workosUserId, userId))
      .for('update');
  let [row] = await locked();
  if (!row) {
    await tx
      .insert(table)
      .values({ workosUserId: userId, workosOrgId: organizationId, preferences: {} })
      .onConflictDoNothing({ target: table.workosUserId });
    [row] = await locked();
  }
  return row?.preferences ?? {};
}

/** The keys whose value differs between two merged preference objects, old and new. @internal */
export function changedValues(
  before: object,
  after: object,
): { oldValues: Record<string, unknown>; newValues: Record<string, unknown> } {
  const old = toJsonObject(before, 'preferences', 'before') ?? {};
  const next = toJsonObject(after, 'preferences', 'after') ?? {};
  const oldValues: Record<string, JsonValue> = {};
  const newValues: Record<string, JsonValue> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) {
    if (stableStringify(old[key]) === stableStringify(next[key])) continue;
    if (old[key] !== undefined) oldValues[key] = old[key];
    if (next[key] !== undefined) newValues[key] = next[key];
  }
  return { oldValues, newValues };
}
