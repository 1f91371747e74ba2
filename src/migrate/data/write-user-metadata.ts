import { eq, sql } from 'drizzle-orm';
import { type JsonValue, stableStringify } from '../../audit/json-value.js';
import type { UserActionOptions } from '../../context/index.js';
import type { OrgkitDatabase } from '../../db/database.js';
import type { OrgkitTables } from '../../db/tables.js';
import type { ExpertSetupApi } from '../../expert-setup/index.js';
import { insertSetupIfMissing } from '../../expert-setup/setup-queries.js';
import { lockStored } from '../../preferences/audited-write.js';
import type { PreferencesApi } from '../../preferences/index.js';
import { applyChange } from '../../sync/apply-change.js';
import type { MirrorChange } from '../../sync/mirror-event.js';
import { lockMirrorObjects } from '../../sync/object-locks.js';

// Each step writes only what differs, so applying a user twice changes nothing (not even an
// `updated_at`), and says whether it wrote.

/**
 * Mirrors the user as the sync does and locks the row; `undefined` when the mirror refuses it
 * (WorkOS deleted the user). Says whether the row is new, and the role it held before.
 * @internal
 */
export async function ensureUserRow(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  change: MirrorChange,
): Promise<{ created: boolean; changed: boolean; role: string } | undefined> {
  // The mirror's object lock before the row lock, in the order the sync takes them.
  await lockMirrorObjects(tx, [change]);
  const u = tables.users;
  const current = () =>
    tx.select({ role: u.role }).from(u).where(eq(u.workosUserId, change.data.id)).for('update');
  const [before] = await current();
  const { applied } = await applyChange(tx, tables, change);
  const [row] = before ? [before] : await current();
  return row && { created: !before, changed: applied, role: row.role };
}

/** @internal */
export async function writeRole(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  userId: string,
  current: string,
  role: string | undefined,
): Promise<boolean> {
  if (role === undefined || role === current) return false;
  const u = tables.users;
  await tx.update(u).set({ role, updatedAt: sql`now()` }).where(eq(u.workosUserId, userId));
  return true;
}

/**
 * Creates the record with the user's organization (as a session would give it), then marks the
 * steps not yet complete through the module.
 * @internal
 */
export async function writeExpertSetup(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  api: ExpertSetupApi<string>,
  target: { userId: string; organizationId: string | null },
  completed: readonly string[],
  as: UserActionOptions,
): Promise<{ created: boolean; marked: string[] }> {
  const { userId, organizationId } = target;
  const created = await insertSetupIfMissing(tx, tables.expertSetup, userId, organizationId);
  const status = (await api.checkExpertSetupStatus(userId, as)).setupStatus;
  const marked: string[] = [];
  for (const step of completed) {
    if (status[step]) continue;
    await api.markStepComplete(step, userId, as);
    marked.push(step);
  }
  return { created: created.length > 0, marked };
}

/**
 * Every migrated user gets a preferences row (seed 3.6), with the organization; an empty one
 * reads as the defaults. Keys whose stored value differs go through the module's update.
 * @internal
 */
export async function writePreferences(
  tx: OrgkitDatabase,
  tables: OrgkitTables,
  api: PreferencesApi<Record<string, unknown>>,
  target: { userId: string; organizationId: string | null },
  patch: Readonly<Record<string, unknown>>,
  as: UserActionOptions,
): Promise<{ created: boolean; written: string[] }> {
  const { userId, organizationId } = target;
  const p = tables.userPreferences;
  const [existed] = await tx.select({ id: p.id }).from(p).where(eq(p.workosUserId, userId));
  const stored = await lockStored(tx, p, userId, organizationId);
  const written = Object.keys(patch).filter(
    (key) =>
      stableStringify(stored[key] as JsonValue | undefined) !==
      stableStringify(patch[key] as JsonValue),
  );
  if (written.length > 0) {
    await api.updateUserPreferences(
      userId,
      Object.fromEntries(written.map((key) => [key, patch[key]])),
      as,
    );
  }
  return { created: !existed, written };
}
