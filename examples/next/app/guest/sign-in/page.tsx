import { GuestSignInForm } from './guest-sign-in-form';

export default async function GuestSignIn(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { email } = await props.searchParams;
  return (
    <>
      <h1>Guest sign-in</h1>
      <p>Enter the email you booked with and the six-digit code we sent you.</p>
      <GuestSignInForm email={typeof email === 'string' ? email.slice(0, 254) : undefined} />
    </>
  );
}
