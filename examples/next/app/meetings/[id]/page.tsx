import Link from 'next/link';
import { notFound } from 'next/navigation';
import { dateTime } from '../../../components/forms';
import { signedIn } from '../../../lib/request';

export const dynamic = 'force-dynamic';

/**
 * One meeting, through `withRls`. A meeting of another organization reads as no row at all, so
 * the answer is the same 404 as for an id that does not exist.
 */
export default async function Meeting(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  const { clinic, run } = await signedIn();
  const m = await run(() => clinic.meetings.get(id));
  if (!m) notFound();
  return (
    <>
      <h1>{m.topic}</h1>
      <dl>
        <dt>When</dt>
        <dd>{dateTime(m.startsAt)}</dd>
        <dt>Guest</dt>
        <dd>
          {m.guestFirstName} ({m.guestEmail})
        </dd>
        <dt>Guest&apos;s WorkOS user</dt>
        <dd>
          <code id="guest-user-id">{m.guestWorkosUserId}</code>
        </dd>
        <dt>Guest&apos;s organization</dt>
        <dd>
          <code id="guest-org-id">{m.guestOrgId}</code>
        </dd>
      </dl>
      <p>
        <Link href="/meetings">All meetings</Link>
      </p>
    </>
  );
}
