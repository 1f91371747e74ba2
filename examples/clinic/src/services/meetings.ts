import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AccessReportEntry, EmergencyAccessOutcome } from 'orgkit';
import { emergencyAccess, type OrgkitDatabase } from 'orgkit/drizzle';
import type { ClinicOrgkit } from '../orgkit.js';
import { type Meeting, meetings } from '../schema.js';
import { namesOf } from './names.js';

/** A person's access report, and the review of each emergency grant it names. */
export interface AccessReport {
  /** Newest first. */
  entries: AccessReportEntry[];
  /** By grant id: how the privacy officer judged it, or absent while it waits for review. */
  reviews: Record<string, { outcome: EmergencyAccessOutcome; reviewedAt: Date }>;
  /** The names of the people who accessed the records, by WorkOS user id. */
  names: Record<string, string>;
}

/**
 * Meetings as the signed-in user may see them. Every query runs through `orgkit.withRls`: one
 * transaction as the `authenticated` role with the session's claims, so the generated policies
 * decide: an expert's organization sees its meetings, a guest sees the meetings they booked, and
 * anyone else sees none, whatever the route lets through.
 */
export function createMeetingsService(orgkit: ClinicOrgkit, db: OrgkitDatabase) {
  /**
   * A meeting names a patient and why they come: PHI. Every read is recorded before the rows
   * leave (`recordAccess` fails the read when it cannot be), with the guest as its data subject,
   * in the meeting's organization: a guest reading their own meetings does so as the patient
   * (PATRQT), the clinic's staff for treatment (TREAT). A clinician whose token lacks
   * `meetings:read` sees a meeting only through an emergency grant (the policy's one other way
   * in), so reads emergency treatment (ETREAT); orgkit marks those reads with the grant.
   * The calls of one page go in one statement.
   */
  async function recordRead(rows: readonly Meeting[]): Promise<void> {
    const session = orgkit.requireAuth();
    const staffPurpose = session.permissions.includes('meetings:read') ? 'TREAT' : 'ETREAT';
    const purposeOf = (row: Meeting) =>
      row.guestWorkosUserId === session.userId ? 'PATRQT' : staffPurpose;
    const groups = new Map<string, Meeting[]>();
    for (const row of rows) {
      const key = `${row.orgId}\u0000${purposeOf(row)}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    await Promise.all(
      [...groups.values()].map((group) =>
        orgkit.recordAccess(
          'meeting',
          group.map((m) => m.id),
          {
            purpose: purposeOf(group[0]!),
            organizationId: group[0]!.orgId,
            subjectIds: [...new Set(group.map((m) => m.guestWorkosUserId))],
          },
        ),
      ),
    );
  }

  return {
    /** The meetings visible to the session's user, soonest first. */
    async list(): Promise<Meeting[]> {
      const rows = await orgkit.withRls((tx) =>
        tx.select().from(meetings).orderBy(asc(meetings.startsAt)),
      );
      await recordRead(rows);
      return rows;
    },

    /** One meeting, or `undefined` when it does not exist or the user may not see it. */
    async get(id: string): Promise<Meeting | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const [row] = await orgkit.withRls((tx) =>
        tx.select().from(meetings).where(eq(meetings.id, id)),
      );
      if (row) await recordRead([row]);
      return row;
    },

    /**
     * The signed-in person's access report (`orgkit.accessReport`): every recorded read of their
     * meetings, newest first, and the review of every emergency grant it names. Reading it is
     * itself recorded.
     */
    async myAccessReport(): Promise<AccessReport> {
      const subjectId = orgkit.requireAuth().userId;
      const entries: AccessReportEntry[] = [];
      for await (const entry of orgkit.accessReport({ subjectId })) entries.push(entry);
      const actors = entries.map((e) => (e.actor && 'userId' in e.actor ? e.actor.userId : null));
      const [reviews, names] = await Promise.all([
        reviewsOf(subjectId, entries),
        namesOf(db, actors),
      ]);
      return { entries: entries.reverse(), reviews, names };
    },
  };

  /**
   * The report's events carry no review outcome (the `access.emergency_reviewed` event keeps it
   * in its metadata), so the grants are read for it: only the verdict and its time, of grants
   * about this person. The service role reads them, since a person's request may read only the
   * grants they hold themselves.
   */
  async function reviewsOf(
    subjectId: string,
    entries: readonly AccessReportEntry[],
  ): Promise<AccessReport['reviews']> {
    const ids = new Set<string>();
    for (const e of entries) {
      for (const id of e.emergencyAccessIds) ids.add(id);
      if (e.resourceType === 'emergency_access') for (const id of e.resourceIds) ids.add(id);
    }
    if (ids.size === 0) return {};
    const rows = await db
      .select({
        id: emergencyAccess.id,
        outcome: emergencyAccess.reviewOutcome,
        reviewedAt: emergencyAccess.reviewedAt,
      })
      .from(emergencyAccess)
      .where(and(inArray(emergencyAccess.id, [...ids]), eq(emergencyAccess.subjectId, subjectId)));
    const reviews: AccessReport['reviews'] = {};
    for (const r of rows) {
      if (r.outcome && r.reviewedAt)
        reviews[r.id] = { outcome: r.outcome, reviewedAt: r.reviewedAt };
    }
    return reviews;
  }
}
