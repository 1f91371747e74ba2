'use client';
import Link from 'next/link';
import { useActionState } from 'react';
import { dateTime, ErrorSummary, Field, Notice, Select } from '../../components/forms';
import { type BookingState, bookMeeting } from './actions';

interface Expert {
  id: string;
  name: string;
  acceptsBookings: boolean;
}

/**
 * The booking form. The button stays enabled while a submit is on its way, as a plain HTML form
 * would: a second click sends the same `bookingKey` again, and the clinic books once.
 */
export function BookingForm(props: { experts: Expert[]; bookingKey: string; devInbox: boolean }) {
  const [state, action] = useActionState(bookMeeting, {} as BookingState);
  if (state.booked) {
    const b = state.booked;
    return (
      <>
        <h1>Your meeting is booked</h1>
        <Notice id="booking-result">
          {b.created ? 'Booked.' : 'You had already booked this meeting; nothing was booked twice.'}
        </Notice>
        <dl>
          <dt>With</dt>
          <dd>{b.expertName}</dd>
          <dt>When</dt>
          <dd>{dateTime(new Date(b.startsAt))}</dd>
          <dt>About</dt>
          <dd>{b.topic}</dd>
        </dl>
        <p>
          We sent a sign-in code to <strong>{b.email}</strong>.{' '}
          <Link href={`/guest/sign-in?email=${encodeURIComponent(b.email)}`}>
            Sign in to see your bookings
          </Link>
          .
        </p>
        {props.devInbox && (
          <p className="hint">
            Development: the code is in the <Link href="/dev/inbox">dev inbox</Link>.
          </p>
        )}
      </>
    );
  }
  const v = state.values ?? {};
  const e = state.errors ?? {};
  const open = props.experts.filter((x) => x.acceptsBookings);
  return (
    <>
      <h1>Book a meeting</h1>
      <ErrorSummary errors={state.errors} />
      {open.length === 0 && (
        <p className="notice">
          No expert is taking bookings yet: an expert must finish their setup first.
        </p>
      )}
      <form action={action} noValidate>
        <input type="hidden" name="bookingKey" value={props.bookingKey} />
        <Select
          name="expertId"
          label="Expert"
          defaultValue={v.expertId}
          error={e.expertId}
          options={[
            { value: '', label: 'Choose an expert' },
            ...props.experts.map((x) => ({
              value: x.id,
              label: x.acceptsBookings ? x.name : `${x.name} (not taking bookings yet)`,
            })),
          ]}
        />
        <Field
          name="firstName"
          label="Your first name"
          defaultValue={v.firstName}
          error={e.firstName}
          required
          autoComplete="given-name"
        />
        <Field
          name="email"
          label="Your email"
          type="email"
          defaultValue={v.email}
          error={e.email}
          required
          autoComplete="email"
          hint="We email you a code to sign in and see your booking."
        />
        <Field
          name="topic"
          label="What is it about?"
          defaultValue={v.topic}
          error={e.topic}
          required
        />
        <Field
          name="startsAt"
          label="Date and time (UTC)"
          type="datetime-local"
          defaultValue={v.startsAt}
          error={e.startsAt}
          required
        />
        <button type="submit">Book</button>
      </form>
    </>
  );
}
