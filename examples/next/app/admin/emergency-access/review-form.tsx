'use client';
import { useActionState } from 'react';
import { type ReviewState, reviewGrant } from './actions';

/** The verdict on one emergency grant, with a note. */
export function ReviewForm({ grantId }: { grantId: string }) {
  const [state, action, pending] = useActionState(reviewGrant, {} as ReviewState);
  return (
    <form action={action}>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      <input type="hidden" name="grantId" value={grantId} />
      <label htmlFor={`outcome-${grantId}`}>Verdict</label>
      <select id={`outcome-${grantId}`} name="outcome" defaultValue="appropriate">
        <option value="appropriate">appropriate</option>
        <option value="inappropriate">inappropriate</option>
      </select>
      <label htmlFor={`note-${grantId}`}>Note</label>
      <textarea id={`note-${grantId}`} name="note" rows={2} />
      <button type="submit" disabled={pending}>
        Record the review
      </button>
    </form>
  );
}
