import Link from 'next/link';

/** Where `auth.withAuth` sends a signed-in user a rule refuses (orgkit records the refusal). */
export default function Forbidden() {
  return (
    <>
      <h1>Not allowed</h1>
      <p id="forbidden">Your account cannot open that page.</p>
      <p>
        <Link href="/">Back to the start</Link>
      </p>
    </>
  );
}
