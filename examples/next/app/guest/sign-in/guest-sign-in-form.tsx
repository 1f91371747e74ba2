'use client';
import { useActionState } from 'react';
import { ErrorSummary, Field } from '../../../components/forms';
import { type GuestSignInState, guestSignIn } from './actions';

export function GuestSignInForm({ email }: { email?: string | undefined }) {
  const [state, action, pending] = useActionState(guestSignIn, { email } as GuestSignInState);
  return (
    <>
      <ErrorSummary errors={state.errors} />
      <form action={action} noValidate>
        <Field
          name="email"
          label="Email"
          type="email"
          defaultValue={state.email}
          error={state.errors?.email}
          required
          autoComplete="email"
        />
        <Field
          name="code"
          label="Code"
          error={state.errors?.code}
          required
          autoComplete="one-time-code"
          inputMode="numeric"
          hint="Six digits, from the email we sent when you booked."
        />
        <button type="submit" disabled={pending}>
          Sign in
        </button>
      </form>
    </>
  );
}
