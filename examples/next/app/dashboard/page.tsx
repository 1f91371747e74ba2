import { redirect } from 'next/navigation';
import { signedIn } from '../../lib/request';
import { PreferencesForm } from './preferences-form';
import { SetupSteps } from './setup-steps';

export const dynamic = 'force-dynamic';

/**
 * The expert's dashboard: setup progress (orgkit's expert setup) and preferences. Sign-in lands
 * here; an admin goes on to the admin page and anyone else to their bookings.
 */
export default async function Dashboard() {
  const { roles } = await signedIn();
  if (!roles.includes('expert')) redirect(roles.includes('admin') ? '/admin' : '/meetings');
  const { clinic, run } = await signedIn({ requiredRole: 'expert' });
  const d = await run(() => clinic.dashboard.load());
  const p = d.preferences;
  return (
    <>
      <h1>Your dashboard</h1>
      <SetupSteps
        setup={{
          steps: d.steps.map((s) => ({ step: s.step, label: s.label, done: s.done })),
          nextStep: d.nextStep,
          completed: d.completed,
          isSetupComplete: d.isSetupComplete,
        }}
      />
      <PreferencesForm
        initial={{
          reminderMinutes: String(p.reminderMinutes),
          theme: p.theme,
          language: p.language,
          ...(p.emailNotifications ? { emailNotifications: 'on' } : {}),
        }}
      />
    </>
  );
}
