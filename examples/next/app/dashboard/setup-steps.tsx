'use client';
import Link from 'next/link';
import { useActionState } from 'react';
import { completeStep, type StepState } from './actions';

export interface SetupView {
  steps: { step: string; label: string; done: boolean }[];
  nextStep: string | undefined;
  completed: number;
  isSetupComplete: boolean;
}

/** The setup steps, one button for the next one, and what stays closed until they are done. */
export function SetupSteps({ setup }: { setup: SetupView }) {
  const [state, action, pending] = useActionState(completeStep, {} as StepState);
  const total = setup.steps.length;
  return (
    <section aria-labelledby="setup-title">
      <h2 id="setup-title">
        Setup: {setup.completed} of {total} steps done
      </h2>
      <progress max={total} value={setup.completed} aria-labelledby="setup-title" />
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      <ol>
        {setup.steps.map((s) => (
          <li key={s.step}>
            {s.done ? <span className="done">✓ {s.label}</span> : s.label}
            {s.step === setup.nextStep && (
              <form action={action} className="inline">
                <input type="hidden" name="step" value={s.step} />
                <button type="submit" disabled={pending}>
                  Mark “{s.label}” done
                </button>
              </form>
            )}
          </li>
        ))}
      </ol>
      {setup.isSetupComplete ? (
        <p className="notice" id="bookings-open">
          Setup complete: guests can book you on the <Link href="/book">booking page</Link>.
        </p>
      ) : (
        <>
          <p id="bookings-closed">Guests cannot book you until your setup is complete.</p>
          <button type="button" disabled aria-describedby="bookings-closed">
            Open my booking page
          </button>
        </>
      )}
    </section>
  );
}
