import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import * as z from 'zod';
import { AUDIT_NAME_PATTERN } from '../audit/define-audit-events.js';
import type { OrgkitTables } from '../db/tables.js';
import { OrgkitError, parseInput } from '../errors/index.js';
import type { Session } from '../session/types.js';
import { forgetActiveGrants } from './active-grants.js';
import type { AccessDeps } from './deps.js';
import { idText, line } from './text.js';
import {
  EMERGENCY_ACCESS_OUTCOMES,
  type EmergencyAccessGrant,
  type EmergencyAccessListOptions,
} from './types.js';

/** What the emergency-access functions need. @internal */
export type EmergencyAccessDeps = Omit<AccessDeps, 'events'>;

type GrantRow = OrgkitTables['emergencyAccess']['$inferSelect'];

/** A stored grant in the public shape. @internal */
export function toGrant(row: GrantRow): EmergencyAccessGrant {
  return {
    id: row.id,
    granteeUserId: row.granteeWorkosUserId,
    organizationId: row.workosOrgId,
    subjectId: row.subjectId,
    resource:
      row.resourceType !== null && row.resourceId !== null
        ? { type: row.resourceType, id: row.resourceId }
        : null,
    reason: row.reason,
    grantedAt: row.grantedAt,
    expiresAt: row.expiresAt,
    review:
      row.reviewedAt && row.reviewerWorkosUserId && row.reviewOutcome
        ? {
            reviewedAt: row.reviewedAt,
            reviewerUserId: row.reviewerWorkosUserId,
            outcome: row.reviewOutcome,
            note: row.reviewNote,
          }
        : null,
  };
}

function requireSession(deps: EmergencyAccessDeps, what: string): Session {
  const current = deps.scope.current();
  const session = current?.session;
  if (!session) {
    throw new OrgkitError(
      'unauthenticated',
      `${what}: needs a signed-in user inside a request (emergency access is a person's act, never a job's)`,
      { reason: current ? 'no_session' : 'no_request_scope' },
    );
  }
  return session;
}

async function requirePermission(
  deps: EmergencyAccessDeps,
  session: Session,
  permission: string,
  organizationId: string | null,
  what: string,
) {
  const allowed =
    organizationId !== null &&
    (await deps.hasPermission(session.userId, permission, organizationId));
  if (!allowed) {
    throw new OrgkitError(
      'forbidden',
      `${what}: requires the "${permission}" permission in ${organizationId === null ? 'an organization' : `organization ${organizationId}`}`,
      { reason: 'missing_permission', details: { missing: [permission] } },
    );
  }
}

/** `breakGlass`, the review list and reviews. @internal */
export function createEmergencyAccess(deps: EmergencyAccessDeps) {
  const { db, tables, audit, policy } = deps;
  const g = tables.emergencyAccess;

  const breakGlassSchema = z
    .strictObject({
      subjectId: idText.optional(),
      resource: z
        .strictObject({ type: z.string().regex(AUDIT_NAME_PATTERN), id: idText })
        .optional(),
      reason: line(3, 1_000, { multiline: true }),
      minutes: z.number().int().min(1).max(policy.maxBreakGlassMinutes).default(60),
    })
    .refine((v) => (v.subjectId === undefined) !== (v.resource === undefined), {
      message: 'name either subjectId or resource, not both',
      path: ['subjectId'],
    });
  const listSchema = z
    .strictObject({
      includeReviewed: z.boolean().default(false),
      organizationId: idText.nullable().optional(),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .optional();
  const reviewSchema = z.strictObject({
    outcome: z.enum(EMERGENCY_ACCESS_OUTCOMES),
    note: line(1, 2_000, { multiline: true }).optional(),
  });

  return {
    async breakGlass(input: unknown): Promise<EmergencyAccessGrant> {
      const what = 'breakGlass';
      const parsed = parseInput(breakGlassSchema, input, `${what}: input`);
      const session = requireSession(deps, what);
      const organizationId = session.organizationId ?? null;
      if (organizationId === null) {
        throw new OrgkitError('forbidden', `${what}: the session has no organization to act in`, {
          reason: 'no_organization',
        });
      }
      if (policy.breakGlassPermission) {
        await requirePermission(deps, session, policy.breakGlassPermission, organizationId, what);
      }
      const grant = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(g)
          .values({
            granteeWorkosUserId: session.userId,
            workosOrgId: organizationId,
            subjectId: parsed.subjectId ?? null,
            resourceType: parsed.resource?.type ?? null,
            resourceId: parsed.resource?.id ?? null,
            reason: parsed.reason,
            // The database clock sets both ends, as the policies compare with its now().
            expiresAt: sql`now() + make_interval(mins => ${parsed.minutes})`,
          })
          .returning();
        const created = toGrant(row!);
        // The reason stays in the grant row (the reviewer reads it there): free text may hold
        // health information, which the audit log never records.
        await audit.record(
          [
            {
              action: 'access.break_glass',
              resourceType: 'emergency_access',
              resourceId: created.id,
              subjectIds: created.subjectId ? [created.subjectId] : [],
              metadata: {
                minutes: parsed.minutes,
                expiresAt: created.expiresAt.toISOString(),
                ...(created.resource ? { resource: created.resource } : {}),
              },
            },
          ],
          { tx },
        );
        return created;
      });
      forgetActiveGrants(deps.scope.current(), session.userId);
      if (policy.onBreakGlass) {
        try {
          await policy.onBreakGlass(grant);
        } catch {
          await audit.record([
            {
              action: 'access.break_glass_alert_failed',
              resourceType: 'emergency_access',
              resourceId: grant.id,
              outcome: 'failure',
            },
          ]);
        }
      }
      return grant;
    },

    async listEmergencyAccessForReview(options?: EmergencyAccessListOptions) {
      const what = 'listEmergencyAccessForReview';
      const parsed = parseInput(listSchema, options, `${what}: options`) ?? {
        includeReviewed: false,
        limit: 100,
      };
      const current = deps.scope.current();
      let organizationId = parsed.organizationId;
      if (current) {
        const session = requireSession(deps, what);
        organizationId =
          organizationId === undefined ? (session.organizationId ?? null) : organizationId;
        await requirePermission(deps, session, policy.reviewPermission, organizationId, what);
      }
      const where: (SQL | undefined)[] = [
        organizationId === undefined
          ? undefined
          : organizationId === null
            ? isNull(g.workosOrgId)
            : eq(g.workosOrgId, organizationId),
        parsed.includeReviewed ? undefined : isNull(g.reviewedAt),
      ];
      const rows = await db
        .select()
        .from(g)
        .where(and(...where))
        .orderBy(asc(g.grantedAt), asc(g.id))
        .limit(parsed.limit);
      await audit.record([
        {
          action: 'access.emergency_list_read',
          resourceType: 'emergency_access',
          resourceId: null,
          ...(current ? {} : { actor: { system: 'emergency-access-review' } }),
          ...(organizationId !== undefined ? { organizationId } : {}),
          metadata: { count: rows.length, includeReviewed: parsed.includeReviewed },
        },
      ]);
      return rows.map(toGrant);
    },

    async reviewEmergencyAccess(id: unknown, review: unknown): Promise<EmergencyAccessGrant> {
      const what = 'reviewEmergencyAccess';
      const grantId = parseInput(z.uuid(), id, `${what}: id`);
      const parsed = parseInput(reviewSchema, review, `${what}: review`);
      const session = requireSession(deps, what);
      const [existing] = await db.select().from(g).where(eq(g.id, grantId));
      if (!existing) {
        throw new OrgkitError('not_found', `${what}: no emergency access grant ${grantId}`);
      }
      await requirePermission(deps, session, policy.reviewPermission, existing.workosOrgId, what);
      if (existing.granteeWorkosUserId === session.userId) {
        throw new OrgkitError('forbidden', `${what}: nobody reviews their own emergency access`, {
          reason: 'own_grant',
        });
      }
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(g)
          .set({
            reviewedAt: sql`now()`,
            reviewerWorkosUserId: session.userId,
            reviewOutcome: parsed.outcome,
            reviewNote: parsed.note ?? null,
          })
          .where(and(eq(g.id, grantId), isNull(g.reviewedAt)))
          .returning();
        if (!row) {
          throw new OrgkitError('conflict', `${what}: grant ${grantId} was already reviewed`, {
            reason: 'already_reviewed',
          });
        }
        await audit.record(
          [
            {
              action: 'access.emergency_reviewed',
              resourceType: 'emergency_access',
              resourceId: grantId,
              organizationId: row.workosOrgId,
              subjectIds: row.subjectId ? [row.subjectId] : [],
              metadata: { outcome: parsed.outcome, granteeUserId: row.granteeWorkosUserId },
            },
          ],
          { tx },
        );
        return toGrant(row);
      });
    },
  };
}
