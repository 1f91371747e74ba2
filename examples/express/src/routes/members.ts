import {
  adminPage,
  type Clinic,
  dashboardPage,
  errorPage,
  meetingPage,
  meetingsPage,
  routes,
} from '@orgkit-examples/clinic';
import { Router } from 'express';
import type { ClinicAuth } from '../app.js';
import { formOf, pageContextOf, sendPage } from '../pages.js';

/**
 * Pages for signed-in people. The guards are page guards (`redirectTo`): a signed-out visitor
 * goes to sign-in, a refused one to the forbidden page, and the refusal is recorded as
 * `access.denied`. What each page then shows is read through orgkit in the request's scope, the
 * meetings through `withRls`, so the database's policies have the last word.
 */
export function memberRoutes(clinic: Clinic, auth: ClinicAuth): Router {
  const router = Router();
  const signedIn = auth.requireAuth({ redirectTo: routes.forbidden });
  const expert = auth.requirePermission('meetings:write', { redirectTo: routes.forbidden });
  const admin = auth.requirePermission('experts:manage', { redirectTo: routes.forbidden });

  router.get(routes.dashboard, expert, async (req, res) => {
    const [context, data] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.dashboard.load(),
    ]);
    sendPage(res, dashboardPage({ ...context, dashboard: data }));
  });

  // One step at a time; the service accepts only the next one.
  router.post(routes.setupStep, expert, async (req, res) => {
    const result = await clinic.dashboard.completeStep(formOf(req));
    if (result.ok) return res.redirect(303, routes.dashboard);
    const [context, data] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.dashboard.load(),
    ]);
    const stepError = Object.values(result.errors)[0];
    sendPage(res, dashboardPage({ ...context, dashboard: data, stepError }), 409);
  });

  router.post(routes.preferences, expert, async (req, res) => {
    const result = await clinic.dashboard.updatePreferences(formOf(req));
    const [context, data] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.dashboard.load(),
    ]);
    if (result.ok) {
      return sendPage(res, dashboardPage({ ...context, dashboard: data, saved: true }));
    }
    const page = dashboardPage({
      ...context,
      dashboard: data,
      preferenceErrors: result.errors,
      preferenceValues: result.values,
    });
    sendPage(res, page, 400);
  });

  router.get(routes.meetings, signedIn, async (req, res) => {
    const [context, meetings] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.meetings.list(),
    ]);
    sendPage(res, meetingsPage({ ...context, meetings }));
  });

  router.get('/meetings/:id', signedIn, async (req, res) => {
    const meeting = await clinic.meetings.get(String(req.params.id));
    const context = await pageContextOf(clinic, req);
    if (meeting) return sendPage(res, meetingPage({ ...context, meeting }));
    // Not found and not theirs look the same: the policies hid the row either way.
    const message = 'There is no meeting here that you can see.';
    sendPage(res, errorPage({ ...context, status: 404, title: 'Meeting not found', message }), 404);
  });

  router.get(routes.admin, admin, async (req, res) => {
    const [context, overview] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.admin.load(),
    ]);
    sendPage(res, adminPage({ ...context, overview }));
  });

  return router;
}
