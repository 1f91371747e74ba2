import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import * as z from 'zod';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';
import { parseInput } from '../errors/index.js';
import type { IncompleteExpertsPage, SetupStats } from './types.js';

type ExpertSetupTable = OrgkitTables['expertSetup'];

const organizationId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
  .optional();
const pageSchema = z.strictObject({
  limit: z.number().int().min(1).max(100).default(50),
  cursor: z.guid().optional(),
  organizationId,
});
const statsSchema = z.strictObject({ organizationId });

const inOrganization = (t: ExpertSetupTable, id: string | undefined) =>
  id === undefined ? undefined : eq(t.workosOrgId, id);

/**
 * Incomplete experts after `cursor`, in id order, one more than `limit` to tell whether a next
 * page exists. Served by the `(setup_complete, id)` index.
 * @internal
 */
export function incompleteExpertsQuery(
  db: OrgkitDatabase,
  t: ExpertSetupTable,
  page: { limit: number; cursor?: string | undefined; organizationId?: string | undefined },
) {
  const incomplete = and(eq(t.setupComplete, false), inOrganization(t, page.organizationId));
  return db
    .select({
      id: t.id,
      userId: t.workosUserId,
      organizationId: t.workosOrgId,
      setupStatus: t.setupStatus,
      createdAt: t.createdAt,
    })
    .from(t)
    .where(page.cursor ? and(incomplete, gt(t.id, page.cursor)) : incomplete)
    .orderBy(asc(t.id))
    .limit(page.limit + 1);
}

/** @internal */
export async function listIncompleteExperts<S extends string>(
  db: OrgkitDatabase,
  t: ExpertSetupTable,
  options: unknown,
  statusOf: (stored: Record<string, boolean>) => Record<S, boolean>,
): Promise<IncompleteExpertsPage<S>> {
  const page = parseInput(pageSchema, options ?? {}, 'getIncompleteExperts');
  const rows = await incompleteExpertsQuery(db, t, page);
  const experts = rows.slice(0, page.limit);
  return {
    experts: experts.map(({ id: _id, setupStatus, ...rest }) => ({
      ...rest,
      setupStatus: statusOf(setupStatus),
    })),
    // The cursor is the last id served: keyset pagination stays correct while rows change.
    nextCursor: rows.length > page.limit ? experts[experts.length - 1]!.id : null,
  };
}

/** @internal */
export async function readSetupStats(
  db: OrgkitDatabase,
  t: ExpertSetupTable,
  options: unknown,
): Promise<SetupStats> {
  const scope = parseInput(statsSchema, options ?? {}, 'getSetupStats');
  const [row] = await db
    .select({
      total: count(),
      complete: sql<number>`count(*) filter (where ${t.setupComplete})`.mapWith(Number),
    })
    .from(t)
    .where(inOrganization(t, scope.organizationId));
  const total = row?.total ?? 0;
  const complete = row?.complete ?? 0;
  return {
    total,
    complete,
    incomplete: total - complete,
    completionRate: total === 0 ? 0 : (complete / total) * 100,
  };
}
