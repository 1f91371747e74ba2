'use server';
import type { FormErrors } from '../../components/forms';
import { getClinic } from '../../lib/clinic';
import { inRequestScope } from '../../lib/request';

/** What the booking form shows after a submit. */
export interface BookingState {
  errors?: FormErrors;
  values?: Record<string, string>;
  booked?: {
    created: boolean;
    expertName: string;
    startsAt: string;
    topic: string;
    email: string;
  };
}

const formFields = (form: FormData) =>
  Object.fromEntries(
    [...form.entries()].filter(([key, value]) => !key.startsWith('$') && typeof value === 'string'),
  );

/**
 * The public booking form's server action. Anonymous, yet in orgkit's request scope: the guest
 * limits count per client IP, and `meeting.booked` records the IP and user agent. The clinic's
 * `bookMeeting` provisions the guest with `orgkit.provisionMeetingGuest` and inserts the meeting
 * once per form (its hidden `bookingKey`), so a double submit books once.
 */
export async function bookMeeting(_state: BookingState, form: FormData): Promise<BookingState> {
  const clinic = getClinic();
  const input = formFields(form);
  const result = await inRequestScope(clinic, undefined, () => clinic.booking.bookMeeting(input));
  if (!result.ok) return { errors: result.errors, values: result.values };
  const { meeting, created } = result.value;
  const experts = await clinic.booking.listExperts();
  const expert = experts.find((e) => e.workosUserId === meeting.expertWorkosUserId);
  return {
    booked: {
      created,
      expertName: expert?.name ?? 'your expert',
      startsAt: meeting.startsAt.toISOString(),
      topic: meeting.topic,
      email: meeting.guestEmail,
    },
  };
}
