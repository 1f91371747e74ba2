import { dateTime } from '../../../components/forms';
import { signedIn } from '../../../lib/request';
import { ReviewForm } from './review-form';

export const dynamic = 'force-dynamic';

/**
 * The privacy officer's review of emergency access: the app role admin's page, while orgkit
 * itself asks for the review permission (`audit:read`) in the organization of the grants.
 */
export default async function EmergencyReview() {
  const { clinic, run } = await signedIn({ requiredPermission: 'experts:manage' });
  const { grants, names } = await run(() => clinic.emergencyAccess.listForReview());
  const name = (id: string | null) => (id ? (names[id] ?? id) : '');
  return (
    <>
      <h1>Review emergency access</h1>
      <p className="hint">
        From <code>orgkit.listEmergencyAccessForReview</code>; each verdict is{' '}
        <code>orgkit.reviewEmergencyAccess</code>. Reading this list is recorded too.
      </p>
      {grants.length === 0 ? (
        <p id="no-grants">No emergency access to review.</p>
      ) : (
        <table id="emergency-grants">
          <thead>
            <tr>
              <th scope="col">Granted</th>
              <th scope="col">Who</th>
              <th scope="col">Patient</th>
              <th scope="col">Reason</th>
              <th scope="col">Until</th>
              <th scope="col">Review</th>
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr key={g.id} data-grant={g.id}>
                <td>{dateTime(g.grantedAt)}</td>
                <td>{name(g.granteeUserId)}</td>
                <td>{name(g.subjectId)}</td>
                <td className="reason">{g.reason}</td>
                <td>{dateTime(g.expiresAt)}</td>
                {g.review ? (
                  <td className="verdict">
                    {g.review.outcome}
                    {g.review.note ? `: ${g.review.note}` : ''}
                  </td>
                ) : (
                  <td>
                    <ReviewForm grantId={g.id} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
