import { breakGlassPage, type Clinic, emergencyReviewPage, routes } from '@orgkit-examples/clinic';
import { Hono } from 'hono';
import type { ClinicAuth, ClinicEnv } from '../app.js';
import { readForm } from '../read-form.js';

/**
 * Emergency access: an expert breaks the glass for a patient (`orgkit.breakGlass`, through
 * `clinic.emergencyAccess`), then reads the patient's meetings on the usual pages, where the RLS
 * policy now lets them through; the clinic's admin, who holds the review permission in the
 * organization, reviews every grant. orgkit checks that permission itself, and records each step.
 */
export function emergencyRoutes(clinic: Clinic, auth: ClinicAuth) {
  const app = new Hono<ClinicEnv>();
  const context = (c: { var: ClinicEnv['Variables'] }) => clinic.pageContext(c.var.session);
  const expertsOnly = auth.requireRole('expert', { redirectTo: routes.forbidden });
  const adminsOnly = auth.requirePermission('experts:manage', { redirectTo: routes.forbidden });

  app.get(routes.emergencyAccess, expertsOnly, async (c) =>
    c.html(breakGlassPage(await context(c))),
  );

  app.post(routes.emergencyAccess, expertsOnly, async (c) => {
    const result = await clinic.emergencyAccess.breakGlass(await readForm(c));
    if (result.ok) return c.redirect(routes.meetings, 303);
    const page = breakGlassPage({ ...(await context(c)), ...result });
    return c.html(page, 400);
  });

  app.get(routes.emergencyReview, adminsOnly, async (c) =>
    c.html(
      emergencyReviewPage({
        ...(await context(c)),
        ...(await clinic.emergencyAccess.listForReview()),
      }),
    ),
  );

  app.post(routes.emergencyReview, adminsOnly, async (c) => {
    const result = await clinic.emergencyAccess.review(await readForm(c));
    if (result.ok) return c.redirect(routes.emergencyReview, 303);
    const page = emergencyReviewPage({
      ...(await context(c)),
      ...(await clinic.emergencyAccess.listForReview()),
      error: Object.values(result.errors)[0],
    });
    return c.html(page, 400);
  });
  return app;
}
