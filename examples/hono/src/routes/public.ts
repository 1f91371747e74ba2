import {
  bookingConfirmedPage,
  bookingPage,
  type Clinic,
  errorPage,
  homePage,
  inboxPage,
  routes,
} from '@orgkit-examples/clinic';
import { Hono } from 'hono';
import type { ClinicAuth, ClinicEnv } from '../app.js';
import { readForm } from '../read-form.js';

/** Pages anyone may open: home, the public booking form, the dev inbox. */
export function publicRoutes(clinic: Clinic, _auth: ClinicAuth) {
  const app = new Hono<ClinicEnv>();
  const context = (c: { var: ClinicEnv['Variables'] }) => clinic.pageContext(c.var.session);

  app.get(routes.home, async (c) =>
    c.html(homePage({ ...(await context(c)), people: clinic.demoPeople })),
  );

  app.get(routes.book, async (c) =>
    c.html(
      bookingPage({
        ...(await context(c)),
        experts: await clinic.booking.listExperts(),
        // One key per rendered form: submitting it twice books once.
        bookingKey: crypto.randomUUID(),
      }),
    ),
  );

  app.post(routes.book, async (c) => {
    const result = await clinic.booking.bookMeeting(await readForm(c));
    if (!result.ok) {
      const page = bookingPage({
        ...(await context(c)),
        experts: await clinic.booking.listExperts(),
        bookingKey: result.values.bookingKey || crypto.randomUUID(),
        values: result.values,
        errors: result.errors,
      });
      return c.html(page, 400);
    }
    const { meeting, created } = result.value;
    const experts = await clinic.booking.listExperts();
    const expertName =
      experts.find((e) => e.workosUserId === meeting.expertWorkosUserId)?.name ?? 'your expert';
    return c.html(bookingConfirmedPage({ ...(await context(c)), meeting, expertName, created }));
  });

  app.get(routes.devInbox, async (c) => {
    if (!clinic.inbox) return c.notFound();
    return c.html(inboxPage({ ...(await context(c)), messages: clinic.inbox.messages() }));
  });

  app.get(routes.forbidden, async (c) =>
    c.html(
      errorPage({
        ...(await context(c)),
        status: 403,
        title: 'Not for you',
        message: 'Your account may not open that page.',
      }),
      403,
    ),
  );
  return app;
}
