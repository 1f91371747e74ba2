'use client';
import { useActionState } from 'react';
import { ErrorSummary, Field, Notice, Select } from '../../components/forms';
import { type PreferencesState, savePreferences } from './actions';

/** The preferences form; `initial` are the stored values merged over the schema's defaults. */
export function PreferencesForm({ initial }: { initial: Record<string, string> }) {
  const [state, action, pending] = useActionState(savePreferences, {} as PreferencesState);
  const v = state.values ?? initial;
  const e = state.errors ?? {};
  return (
    <section aria-labelledby="prefs-title">
      <h2 id="prefs-title">Preferences</h2>
      {state.saved && <Notice id="preferences-saved">Preferences saved.</Notice>}
      <ErrorSummary errors={state.errors} />
      <form action={action} noValidate>
        <label className="check">
          <input
            type="checkbox"
            name="emailNotifications"
            defaultChecked={v.emailNotifications === 'on'}
          />{' '}
          Email me about new bookings
        </label>
        <Field
          name="reminderMinutes"
          label="Remind me before a meeting (minutes)"
          type="number"
          defaultValue={v.reminderMinutes}
          error={e.reminderMinutes}
          min={5}
          max={1440}
        />
        <Select
          name="theme"
          label="Theme"
          defaultValue={v.theme}
          error={e.theme}
          options={['light', 'dark', 'system'].map((t) => ({ value: t, label: t }))}
        />
        <Select
          name="language"
          label="Language"
          defaultValue={v.language}
          error={e.language}
          options={[
            { value: 'en', label: 'English' },
            { value: 'es', label: 'Español' },
            { value: 'pt', label: 'Português' },
          ]}
        />
        <button type="submit" disabled={pending}>
          Save preferences
        </button>
      </form>
    </section>
  );
}
