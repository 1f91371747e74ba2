import { type Clinic, dashboardPage, routes } from '@orgkit-examples/clinic';
import { Hono } from 'hono';
import type { ClinicAuth, ClinicEnv } from '../app.js';
import { readForm } from '../read-form.js';

/**
 * The expert dashboard: setup steps one by one (`orgkit.markStepComplete`) and preferences
 * (`orgkit.updateUserPreferences`). Only users with the `expert` role get here; the booking
 * service refuses guests for an expert whose setup is incomplete.
 */
export function expertRoutes(clinic: Clinic, auth: ClinicAuth) {
  const app = new Hono<ClinicEnv>();
  const context = (c: { var: ClinicEnv['Variables'] }) => clinic.pageContext(c.var.session);
  const expertsOnly = auth.requireRole('expert', { redirectTo: routes.forbidden });

  app.get(routes.dashboard, expertsOnly, async (c) =>
    c.html(
      dashboardPage({
        ...(await context(c)),
        dashboard: await clinic.dashboard.load(),
        saved: c.req.query('saved') === '1',
      }),
    ),
  );

  app.post(routes.setupStep, expertsOnly, async (c) => {
    const result = await clinic.dashboard.completeStep(await readForm(c));
    if (result.ok) return c.redirect(routes.dashboard, 303);
    const page = dashboardPage({
      ...(await context(c)),
      dashboard: await clinic.dashboard.load(),
      stepError: result.errors.step,
    });
    return c.html(page, 400);
  });

  app.post(routes.preferences, expertsOnly, async (c) => {
    const result = await clinic.dashboard.updatePreferences(await readForm(c));
    if (result.ok) return c.redirect(`${routes.dashboard}?saved=1`, 303);
    const page = dashboardPage({
      ...(await context(c)),
      dashboard: await clinic.dashboard.load(),
      preferenceErrors: result.errors,
      preferenceValues: result.values,
    });
    return c.html(page, 400);
  });
  return app;
}
