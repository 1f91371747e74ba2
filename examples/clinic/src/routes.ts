/** The URLs every clinic app serves; the views link and post to these. */
export const routes = {
  home: '/',
  /** The expert/admin sign-in form (the adapters' `signInUrl`). */
  signIn: '/sign-in',
  /** `auth.signIn()`: redirects to AuthKit, with `login_hint` from the form. */
  authSignIn: '/auth/sign-in',
  /** `auth.callback()`. */
  authCallback: '/auth/callback',
  /** After the callback: enter the user's organization, record the sign-in, go on. */
  authContinue: '/auth/continue',
  /** `auth.signOut()`, as POST. */
  signOut: '/auth/sign-out',
  book: '/book',
  devInbox: '/dev/inbox',
  guestSignIn: '/guest/sign-in',
  dashboard: '/dashboard',
  setupStep: '/dashboard/setup',
  preferences: '/dashboard/preferences',
  meetings: '/meetings',
  meeting: (id: string) => `/meetings/${encodeURIComponent(id)}`,
  /** The signed-in person's access report: who read their records, when and why. */
  myAccess: '/my-access',
  /** Break the glass: a clinician opens a patient's meetings for a while, with a reason. */
  emergencyAccess: '/emergency-access',
  admin: '/admin',
  /** The privacy officer's review of emergency access (GET the list, POST one verdict). */
  emergencyReview: '/admin/emergency-access',
  /** Where page guards send a signed-in user who may not see a page. */
  forbidden: '/forbidden',
} as const;
