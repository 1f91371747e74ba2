import { safeReturnTo } from '../../lib/paths';
import { SignInForm } from './sign-in-form';

// What AuthKit's callback reports (see app/auth/callback/route.ts), as the form shows it.
const CALLBACK_ERRORS: Record<string, string> = {
  unknown_user: 'No one at the clinic signs in with that email',
  failed: 'Signing in did not complete: please try again',
};

export default async function SignIn(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = await props.searchParams;
  const error = typeof query.error === 'string' ? CALLBACK_ERRORS[query.error] : undefined;
  return (
    <>
      <h1>Expert sign-in</h1>
      <SignInForm returnTo={safeReturnTo(query.returnTo)} error={error} />
      {process.env.CLINIC_WORKOS_EMULATOR_URL && (
        <p className="hint">
          Development: the WorkOS emulator signs in whoever&apos;s email you type (see the home page
          for the seeded people).
        </p>
      )}
      <p>
        Booked a meeting as a guest? <a href="/guest/sign-in">Sign in with your code</a>.
      </p>
    </>
  );
}
