import { and, eq } from 'drizzle-orm';
import { isOrgkitError } from 'orgkit';
import { expertSetup, type OrgkitDatabase, userOrgMemberships, users } from 'orgkit/drizzle';
import { z } from 'zod';
import type { ClinicOrgkit } from '../orgkit.js';
import { type Meeting, meetings } from '../schema.js';
import { echoValues, type FormResult, fieldErrors } from './form-errors.js';

/** An expert a guest can pick on the booking form. */
export interface BookableExpert {
  workosUserId: string;
  name: string;
  organizationId: string;
  /** Guests can book an expert only once their setup is complete. */
  acceptsBookings: boolean;
}

/** What a booking made (or found again, for a repeated submit). */
export interface Booking {
  meeting: Meeting;
  /** `false` when this submit found the meeting an earlier submit of the same form made. */
  created: boolean;
}

const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** The public booking form. Times are UTC (a real app would ask for the guest's zone). */
export const bookingFormSchema = z.object({
  expertId: z.string({ error: 'Choose an expert' }).min(1, 'Choose an expert'),
  email: z.email({ error: 'Enter a valid email address' }).max(254),
  firstName: z
    .string({ error: 'Enter your first name' })
    .trim()
    .min(1, 'Enter your first name')
    .max(100, 'Use at most 100 characters'),
  topic: z
    .string({ error: 'Say in a few words what the meeting is about' })
    .trim()
    .min(3, 'Say in a few words what the meeting is about')
    .max(200, 'Use at most 200 characters'),
  startsAt: z
    .string({ error: 'Pick a date and time' })
    .regex(LOCAL_DATETIME, 'Pick a date and time')
    .transform((value) => new Date(`${value}:00Z`))
    .refine((date) => !Number.isNaN(date.getTime()), 'Pick a valid date and time')
    .refine((date) => date.getTime() > Date.now(), 'Pick a time in the future'),
  bookingKey: z.uuid({ error: 'This form has expired: reload the page and submit it again' }),
});

/** The booking service: experts to choose from and the idempotent booking itself. */
export function createBookingService(orgkit: ClinicOrgkit, db: OrgkitDatabase) {
  async function listExperts(): Promise<BookableExpert[]> {
    // The public form has no session: this runs as the service role, and returns only what a
    // booking page shows anyway (names, not emails).
    const rows = await db
      .select({
        workosUserId: users.workosUserId,
        firstName: users.firstName,
        lastName: users.lastName,
        organizationId: userOrgMemberships.workosOrgId,
        setupComplete: expertSetup.setupComplete,
      })
      .from(users)
      .innerJoin(userOrgMemberships, eq(userOrgMemberships.workosUserId, users.workosUserId))
      .leftJoin(expertSetup, eq(expertSetup.workosUserId, users.workosUserId))
      .where(and(eq(users.role, 'expert'), eq(userOrgMemberships.status, 'active')))
      .orderBy(users.lastName);
    return rows.map((r) => ({
      workosUserId: r.workosUserId,
      name: `Dr. ${[r.firstName, r.lastName].filter(Boolean).join(' ')}`,
      organizationId: r.organizationId,
      acceptsBookings: r.setupComplete === true,
    }));
  }

  /**
   * The meeting an earlier submit of the same form booked, shown again on the confirmation page:
   * a read of stored PHI, recorded like every other (the form has no session, so the booking
   * form is the actor; the guest, who holds the form's key, asked for it: PATRQT).
   */
  async function findByKey(bookingKey: string): Promise<Meeting | undefined> {
    const [row] = await db.select().from(meetings).where(eq(meetings.bookingKey, bookingKey));
    if (row) {
      await orgkit.recordAccess('meeting', row.id, {
        purpose: 'PATRQT',
        subjectIds: [row.guestWorkosUserId],
        actor: { system: 'booking-form' },
        organizationId: row.orgId,
      });
    }
    return row;
  }

  /**
   * Books a meeting from the form's fields. The guest is provisioned with
   * `orgkit.provisionMeetingGuest` (one WorkOS user, personal organization and magic-auth code
   * per email, however many submits race), and the meeting is inserted once per form: its
   * `bookingKey` is unique, so a second submit finds the first one's row. The insert and its
   * `meeting.booked` audit event commit together.
   */
  async function bookMeeting(input: Record<string, unknown>): Promise<FormResult<Booking>> {
    const values = echoValues(input);
    const fail = (errors: Record<string, string>) => ({ ok: false as const, errors, values });
    const parsed = bookingFormSchema.safeParse(input);
    if (!parsed.success) return fail(fieldErrors(parsed.error));
    const form = parsed.data;
    const expert = (await listExperts()).find((e) => e.workosUserId === form.expertId);
    if (!expert) return fail({ expertId: 'Choose an expert' });
    if (!expert.acceptsBookings) {
      return fail({
        expertId: `${expert.name} is not taking bookings until their setup is complete`,
      });
    }
    const earlier = await findByKey(form.bookingKey);
    if (earlier) return { ok: true, value: { meeting: earlier, created: false } };

    let guest: Awaited<ReturnType<ClinicOrgkit['provisionMeetingGuest']>>;
    try {
      guest = await orgkit.provisionMeetingGuest({
        guestEmail: form.email,
        guestFirstName: form.firstName,
      });
    } catch (error) {
      if (isOrgkitError(error) && error.code === 'rate_limited') {
        return fail({ form: 'Too many bookings from here just now: try again in a while' });
      }
      if (isOrgkitError(error) && error.code === 'upstream_unavailable') {
        return fail({ form: 'We could not reach the sign-in service: try again in a minute' });
      }
      throw error;
    }
    const inserted = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(meetings)
        .values({
          orgId: expert.organizationId,
          expertWorkosUserId: expert.workosUserId,
          guestWorkosUserId: guest.guestWorkosUserId,
          guestOrgId: guest.guestOrgId,
          guestEmail: form.email.trim().toLowerCase(),
          guestFirstName: form.firstName,
          topic: form.topic,
          startsAt: form.startsAt,
          bookingKey: form.bookingKey,
        })
        .onConflictDoNothing()
        .returning();
      if (row) {
        await orgkit.logAuditEvent(
          'meeting.booked',
          'meeting',
          row.id,
          { newValues: { expertId: row.expertWorkosUserId, startsAt: row.startsAt.toISOString() } },
          { guestWorkosUserId: row.guestWorkosUserId },
          { tx, actor: { userId: guest.guestWorkosUserId }, organizationId: row.orgId },
        );
      }
      return row;
    });
    if (inserted) return { ok: true, value: { meeting: inserted, created: true } };
    const concurrent = await findByKey(form.bookingKey);
    if (concurrent) return { ok: true, value: { meeting: concurrent, created: false } };
    return fail({ startsAt: `${expert.name} already has a meeting at that time: pick another` });
  }

  /** Experts' names by WorkOS user id: public, like the booking form's list. */
  async function expertNames(): Promise<Record<string, string>> {
    return Object.fromEntries((await listExperts()).map((e) => [e.workosUserId, e.name]));
  }

  return { listExperts, expertNames, bookMeeting };
}
