import Link from 'next/link';
import { dateTime } from '../../components/forms';
import { signedIn } from '../../lib/request';

export const dynamic = 'force-dynamic';

/**
 * The meetings the signed-in user may see: read through `orgkit.withRls`, so the database's
 * policies choose the rows (an expert's organization sees its meetings, a guest their own
 * bookings, anyone else none), whatever this page asks for.
 */
export default async function Meetings() {
  const { clinic, run, roles } = await signedIn();
  const meetings = await run(() => clinic.meetings.list());
  const guest = !roles.includes('expert') && !roles.includes('admin');
  // A guest sees the expert's name, as the public booking form shows it.
  const names: Record<string, string> = guest ? await clinic.booking.expertNames() : {};
  return (
    <>
      <h1>{guest ? 'My bookings' : 'Meetings'}</h1>
      {meetings.length === 0 ? (
        <p id="no-meetings">No meetings to show.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">About</th>
              <th scope="col">{guest ? 'Expert' : 'Guest'}</th>
            </tr>
          </thead>
          <tbody>
            {meetings.map((m) => (
              <tr key={m.id}>
                <td>
                  <Link href={`/meetings/${m.id}`}>{dateTime(m.startsAt)}</Link>
                </td>
                <td>{m.topic}</td>
                <td>
                  {guest
                    ? (names[m.expertWorkosUserId] ?? m.expertWorkosUserId)
                    : `${m.guestFirstName ?? ''} <${m.guestEmail}>`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint">
        Read through <code>orgkit.withRls</code>: the database&apos;s policies choose these rows.
      </p>
    </>
  );
}
