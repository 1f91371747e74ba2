'use client';
import { useActionState } from 'react';
import { ErrorSummary, Field } from '../../components/forms';
import { type BreakGlassState, breakGlass } from './actions';

/** Which patient, why, for how long; errors beside their fields. */
export function BreakGlassForm() {
  const [state, action, pending] = useActionState(breakGlass, {} as BreakGlassState);
  const v = state.values ?? { minutes: '60' };
  const e = state.errors ?? {};
  return (
    <>
      <ErrorSummary errors={state.errors} />
      <form action={action} noValidate>
        <Field
          name="patientEmail"
          label="Patient’s email"
          type="email"
          defaultValue={v.patientEmail}
          error={e.patientEmail}
        />
        <label htmlFor="reason">Why you need the records now</label>
        {e.reason && (
          <p className="error" id="reason-error">
            {e.reason}
          </p>
        )}
        <textarea
          id="reason"
          name="reason"
          rows={3}
          defaultValue={v.reason ?? ''}
          aria-invalid={e.reason ? true : undefined}
          aria-describedby={e.reason ? 'reason-error' : undefined}
        />
        <Field
          name="minutes"
          label="For how many minutes"
          type="number"
          min={1}
          max={240}
          defaultValue={v.minutes}
          error={e.minutes}
        />
        <button type="submit" disabled={pending}>
          Break the glass
        </button>
      </form>
    </>
  );
}
