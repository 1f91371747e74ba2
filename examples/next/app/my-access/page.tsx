import type { AccessReport } from '@orgkit-examples/clinic';
import { dateTime } from '../../components/forms';
import { signedIn } from '../../lib/request';

export const dynamic = 'force-dynamic';

type Entry = AccessReport['entries'][number];

/**
 * The signed-in person's access report (`orgkit.accessReport` through the clinic): who read
 * their records, when, why, and whether under an emergency grant, with that grant's review.
 */
export default async function MyAccess() {
  const { clinic, run } = await signedIn();
  const { entries, reviews, names } = await run(() => clinic.meetings.myAccessReport());
  const who = (e: Entry) =>
    e.actor === null
      ? ''
      : 'userId' in e.actor
        ? (names[e.actor.userId] ?? e.actor.userId)
        : `system: ${e.actor.system}`;
  const review = (id: string) => {
    const r = reviews[id];
    return r ? `reviewed ${dateTime(r.reviewedAt)}: ${r.outcome}` : 'not reviewed yet';
  };
  const notes = (e: Entry) =>
    [
      e.emergencyAccessIds.length > 0 ? 'emergency access' : '',
      ...(e.resourceType === 'emergency_access' ? e.resourceIds : e.emergencyAccessIds).map(review),
      e.impersonator ? `impersonated by ${e.impersonator.email}` : '',
    ]
      .filter(Boolean)
      .join('; ');
  return (
    <>
      <h1>Who accessed my records</h1>
      <p className="hint">
        From <code>orgkit.accessReport</code>: every recorded read of your records, newest first,
        with the review of every emergency access.
      </p>
      <table id="access-report">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Role</th>
            <th scope="col">What</th>
            <th scope="col">Purpose</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.eventId} data-action={e.action}>
              <td>{dateTime(e.occurredAt)}</td>
              <td className="who">{who(e)}</td>
              <td>{e.actorRole ?? ''}</td>
              <td>
                {e.action} {e.resourceType ?? ''}
              </td>
              <td className="purpose">{e.purpose ?? ''}</td>
              <td className="notes">{notes(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
