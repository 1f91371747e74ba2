import { asc, eq } from 'drizzle-orm';
import type { ClinicOrgkit } from '../orgkit.js';
import { type Meeting, meetings } from '../schema.js';

/**
 * Meetings as the signed-in user may see them. Every query runs through `orgkit.withRls`: one
 * transaction as the `authenticated` role with the session's claims, so the generated policies
 * decide: an expert's organization sees its meetings, a guest sees the meetings they booked, and
 * anyone else sees none, whatever the route lets through.
 */
export function createMeetingsService(orgkit: ClinicOrgkit) {
  return {
    /** The meetings visible to the session's user, soonest first. */
    async list(): Promise<Meeting[]> {
      const rows = await orgkit.withRls((tx) =>
        tx.select().from(meetings).orderBy(asc(meetings.startsAt)),
      );
      await orgkit.logAuditEvent('meetings.listed', 'meeting', null, null, { count: rows.length });
      return rows;
    },

    /** One meeting, or `undefined` when it does not exist or the user may not see it. */
    async get(id: string): Promise<Meeting | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const [row] = await orgkit.withRls((tx) =>
        tx.select().from(meetings).where(eq(meetings.id, id)),
      );
      if (row) {
        await orgkit.logAuditEvent('meeting.viewed', 'meeting', row.id, null, null, {
          organizationId: row.orgId,
        });
      }
      return row;
    },
  };
}
