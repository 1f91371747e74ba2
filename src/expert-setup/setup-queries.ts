import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';

type ExpertSetupTable = OrgkitTables['expertSetup'];

/** The columns every status read returns. @internal */
export const statusColumns = (t: ExpertSetupTable) => ({
  setupStatus: t.setupStatus,
  setupComplete: t.setupComplete,
  setupCompletedAt: t.setupCompletedAt,
});

/** `{"profile":true,…}`: a status containing this (`@>`) has every step done. @internal */
export const requiredStatus = (steps: readonly string[]): SQL =>
  sql`${JSON.stringify(Object.fromEntries(steps.map((s) => [s, true])))}::jsonb`;

/** @internal */
export function selectSetup(db: OrgkitDatabase, t: ExpertSetupTable, userId: string) {
  return db.select(statusColumns(t)).from(t).where(eq(t.workosUserId, userId)).limit(1);
}

/** Returns the row only when this call created it. @internal */
export function insertSetupIfMissing(
  db: OrgkitDatabase,
  t: ExpertSetupTable,
  userId: string,
  organizationId: string | null,
) {
  return db
    .insert(t)
    .values({ workosUserId: userId, workosOrgId: organizationId })
    .onConflictDoNothing({ target: t.workosUserId })
    .returning(statusColumns(t));
}

/**
 * One statement: adds the step to the stored map and, from the merged map, sets
 * `setup_complete` and `setup_completed_at` at the moment the last step lands. Every SET
 * expression reads the row as it was, so they agree with each other.
 * @internal
 */
export function markStep(
  db: OrgkitDatabase,
  t: ExpertSetupTable,
  input: { userId: string; organizationId: string | null; step: string; steps: readonly string[] },
) {
  const merged = sql`(${t.setupStatus} || excluded.${sql.identifier(t.setupStatus.name)})`;
  const completesNow = sql`(NOT ${t.setupComplete} AND ${merged} @> ${requiredStatus(input.steps)})`;
  const completesAlone = input.steps.every((s) => s === input.step);
  return db
    .insert(t)
    .values({
      workosUserId: input.userId,
      workosOrgId: input.organizationId,
      setupStatus: { [input.step]: true },
      setupComplete: completesAlone,
      setupCompletedAt: completesAlone ? sql`now()` : null,
    })
    .onConflictDoUpdate({
      target: t.workosUserId,
      set: {
        setupStatus: merged,
        setupComplete: sql`(${t.setupComplete} OR ${completesNow})`,
        setupCompletedAt: sql`CASE WHEN ${completesNow} THEN now() ELSE ${t.setupCompletedAt} END`,
        updatedAt: sql`now()`,
      },
    })
    .returning(statusColumns(t));
}

/** Completes a record whose every configured step is done (after a step was removed). @internal */
export function completeIfAllDone(
  db: OrgkitDatabase,
  t: ExpertSetupTable,
  userId: string,
  steps: readonly string[],
) {
  return db
    .update(t)
    .set({ setupComplete: true, setupCompletedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(t.workosUserId, userId),
        eq(t.setupComplete, false),
        sql`${t.setupStatus} @> ${requiredStatus(steps)}`,
      ),
    )
    .returning(statusColumns(t));
}

/**
 * Clears every step inside the caller's transaction `tx` (the row stays locked until it ends);
 * returns the record as it was, or `undefined` when there was none.
 * @internal
 */
export async function clearSetup(tx: OrgkitDatabase, t: ExpertSetupTable, userId: string) {
  const [previous] = await tx
    .select(statusColumns(t))
    .from(t)
    .where(eq(t.workosUserId, userId))
    .for('update');
  if (!previous) return undefined;
  await tx
    .update(t)
    .set({ setupStatus: {}, setupComplete: false, setupCompletedAt: null, updatedAt: sql`now()` })
    .where(eq(t.workosUserId, userId));
  return previous;
}
