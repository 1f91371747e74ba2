import { asc, eq } from 'drizzle-orm';
import type { AccessReportEntry } from 'orgkit';
import type { ClinicOrgkit } from '../orgkit.js';
import { type Meeting, meetings } from '../schema.js';

/**
 * Meetings as the signed-in user may see them. Every query runs through `orgkit.withRls`: one
 * transaction as the `authenticated` role with the session's claims, so the generated policies
 * decide: an expert's organization sees its meetings, a guest sees the meetings they booked, and
 * anyone else sees none, whatever the route lets through.
 */
export function createMeetingsService(orgkit: ClinicOrgkit) {
  /**
   * A meeting names a patient and why they come: PHI. Every read is recorded before the rows
   * leave (`recordAccess` fails the read when it cannot be), with the guest as its data subject,
   * in the meeting's organization: a guest reading their own meetings does so as the patient
   * (PATRQT), the clinic's staff for treatment (TREAT). The calls of one page go in one statement.
   */
  async function recordRead(rows: readonly Meeting[]): Promise<void> {
    const reader = orgkit.requireAuth().userId;
    const groups = new Map<string, Meeting[]>();
    for (const row of rows) {
      const key = `${row.orgId}\u0000${row.guestWorkosUserId === reader ? 'PATRQT' : 'TREAT'}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    await Promise.all(
      [...groups].map(([key, group]) =>
        orgkit.recordAccess(
          'meeting',
          group.map((m) => m.id),
          {
            purpose: key.endsWith('PATRQT') ? 'PATRQT' : 'TREAT',
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
     * meetings, newest first. Reading it is itself recorded.
     */
    async myAccessReport(): Promise<AccessReportEntry[]> {
      const entries: AccessReportEntry[] = [];
      for await (const entry of orgkit.accessReport({ subjectId: orgkit.requireAuth().userId })) {
        entries.push(entry);
      }
      return entries.reverse();
    },
  };
}
