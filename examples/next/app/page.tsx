import Link from 'next/link';
import { getClinic } from '../lib/clinic';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const { people } = getClinic();
  return (
    <>
      <h1>Book time with a Harbor Clinic expert</h1>
      <p>
        This is the orgkit example clinic on Next.js. Experts sign in with WorkOS AuthKit and finish
        their setup before guests can book them; guests book through a public form, get a sign-in
        code by email, and see only their own bookings.
      </p>
      <p>
        <Link href="/book">Book a meeting</Link>
      </p>
      {people && (
        <>
          <h2>People to try (development)</h2>
          <ul>
            <li>
              <code>{people.expert.email}</code> (expert, {people.harborClinic.name})
            </li>
            <li>
              <code>{people.admin.email}</code> (admin, {people.harborClinic.name})
            </li>
            <li>
              <code>{people.outsider.email}</code> (expert, {people.otherClinic.name})
            </li>
          </ul>
        </>
      )}
    </>
  );
}
