'use client';
import { useActionState } from 'react';
import { ErrorSummary, Field } from '../../components/forms';
import { type SignInState, startSignIn } from './actions';

export function SignInForm({ returnTo, error }: { returnTo: string; error?: string | undefined }) {
  const [state, action, pending] = useActionState(startSignIn, {
    errors: error ? { email: error } : undefined,
  } as SignInState);
  return (
    <>
      <ErrorSummary errors={state.errors} />
      <form action={action} noValidate>
        <Field
          name="email"
          label="Work email"
          type="email"
          defaultValue={state.email}
          error={state.errors?.email}
          required
          autoComplete="email"
          hint="You continue to WorkOS AuthKit to sign in."
        />
        <input type="hidden" name="returnTo" value={returnTo} />
        <button type="submit" disabled={pending}>
          Continue
        </button>
      </form>
    </>
  );
}
