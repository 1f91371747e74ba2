import {
  accessReportPage,
  adminPage,
  type Clinic,
  errorPage,
  meetingPage,
  meetingsPage,
  routes,
} from '@orgkit-examples/clinic';
import { Hono } from 'hono';
import type { ClinicAuth, ClinicEnv } from '../app.js';

/**
 * Pages for anyone signed in (meetings) and for admins (setup statistics and the audit trail).
 * The meetings routes only ask for a session: what each user sees is decided by the database's
 * row-level-security policies, through `clinic.meetings`, which queries with `orgkit.withRls`.
 */
export function memberRoutes(clinic: Clinic, auth: ClinicAuth) {
  const app = new Hono<ClinicEnv>();
  const context = (c: { var: ClinicEnv['Variables'] }) => clinic.pageContext(c.var.session);
  const signedIn = auth.requireAuth({ redirectTo: routes.forbidden });

  app.get(routes.meetings, signedIn, async (c) =>
    c.html(
      meetingsPage({
        ...(await context(c)),
        meetings: await clinic.meetings.list(),
        expertNames: await clinic.booking.expertNames(),
      }),
    ),
  );

  app.get('/meetings/:id', signedIn, async (c) => {
    const meeting = await clinic.meetings.get(c.req.param('id'));
    if (!meeting) {
      const page = errorPage({
        ...(await context(c)),
        status: 404,
        title: 'Meeting not found',
        message: 'There is no meeting here that you can see.',
      });
      return c.html(page, 404);
    }
    return c.html(meetingPage({ ...(await context(c)), meeting }));
  });

  app.get(routes.myAccess, signedIn, async (c) =>
    c.html(
      accessReportPage({ ...(await context(c)), ...(await clinic.meetings.myAccessReport()) }),
    ),
  );

  app.get(
    routes.admin,
    // The app role admin's permission: a guest owns a personal organization (and so holds
    // audit:read there), but must not reach the clinic's admin page.
    auth.requirePermission('experts:manage', { redirectTo: routes.forbidden }),
    async (c) => c.html(adminPage({ ...(await context(c)), overview: await clinic.admin.load() })),
  );
  return app;
}
