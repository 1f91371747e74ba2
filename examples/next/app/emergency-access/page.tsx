import { signedIn } from '../../lib/request';
import { BreakGlassForm } from './break-glass-form';

export const dynamic = 'force-dynamic';

/**
 * Break the glass: an expert opens a patient's meetings for a while, with a reason. The RLS
 * policy of `meetings` then shows them to this expert alone; the admin reviews the grant.
 */
export default async function EmergencyAccess() {
  await signedIn({ requiredRole: 'expert' });
  return (
    <>
      <h1>Emergency access</h1>
      <p>
        When a patient needs care now and their records are not yours to read, break the glass: the
        records open to you alone for the minutes you choose. The privacy officer is told and
        reviews every emergency access, and each read under it is marked on the patient&apos;s
        access report.
      </p>
      <BreakGlassForm />
    </>
  );
}
