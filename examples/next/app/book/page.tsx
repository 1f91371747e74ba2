import { getClinic } from '../../lib/clinic';
import { BookingForm } from './booking-form';

export const dynamic = 'force-dynamic';

/** The public booking page: no sign-in. Each render makes a new one-time `bookingKey`. */
export default async function Book() {
  const clinic = getClinic();
  const experts = await clinic.booking.listExperts();
  return (
    <BookingForm
      experts={experts.map((e) => ({
        id: e.workosUserId,
        name: e.name,
        acceptsBookings: e.acceptsBookings,
      }))}
      bookingKey={crypto.randomUUID()}
      devInbox={clinic.inbox !== undefined}
    />
  );
}
