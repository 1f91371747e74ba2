/**
 * The booking clinic the orgkit examples share: its orgkit instance, database, WorkOS
 * environment, services and pages. Framework-free; each app adds routes.
 * @packageDocumentation
 */
export type { ClinicPreferences, SetupStep } from './access.js';
export {
  accessControl,
  auditEvents,
  preferencesSchema,
  SETUP_STEP_LABELS,
  SETUP_STEPS,
} from './access.js';
export type { ClinicDatabase, ClinicDatabaseOptions } from './database.js';
export { openClinicDatabase } from './database.js';
export type { DevInbox, InboxMessage } from './inbox.js';
export type { ClinicOrgkit } from './orgkit.js';
export type { ClinicPeople, Person } from './people.js';
export { rlsModel, rlsSql } from './rls.js';
export { routes } from './routes.js';
export type { Meeting } from './schema.js';
export { meetings } from './schema.js';
export type { AdminOverview } from './services/admin.js';
export type { BookableExpert, Booking } from './services/booking.js';
export { bookingFormSchema } from './services/booking.js';
export type { ExpertDashboard, SetupStepView } from './services/dashboard.js';
export type { EmergencyReviewList } from './services/emergency-access.js';
export { breakGlassFormSchema, reviewFormSchema } from './services/emergency-access.js';
export type { FormErrors, FormResult } from './services/form-errors.js';
export type { AccessReport } from './services/meetings.js';
export type { Clinic, StartClinicOptions } from './start-clinic.js';
export { startClinic } from './start-clinic.js';
export { accessReportPage, breakGlassPage, emergencyReviewPage } from './views/access-pages.js';
export { escapeHtml, html, raw, SafeHtml } from './views/html.js';
export type { PageContext, Viewer } from './views/layout.js';
export { layout } from './views/layout.js';
export { adminPage, dashboardPage, meetingPage, meetingsPage } from './views/member-pages.js';
export type { DemoPerson } from './views/public-pages.js';
export {
  bookingConfirmedPage,
  bookingPage,
  errorPage,
  guestSignInPage,
  homePage,
  inboxPage,
  signInPage,
} from './views/public-pages.js';
export { CALLBACK_PATH } from './workos.js';
