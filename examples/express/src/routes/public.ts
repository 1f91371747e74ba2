import { randomUUID } from 'node:crypto';
import {
  bookingConfirmedPage,
  bookingPage,
  type Clinic,
  type DemoPerson,
  errorPage,
  homePage,
  inboxPage,
  routes,
} from '@orgkit-examples/clinic';
import { Router } from 'express';
import { formOf, pageContextOf, sendPage } from '../pages.js';

/**
 * Pages anyone may open: the start page, the booking form, the forbidden page and, on the
 * emulator, the dev inbox.
 */
export function publicRoutes(clinic: Clinic, people: DemoPerson[]): Router {
  const router = Router();

  router.get(routes.home, async (req, res) => {
    const context = await pageContextOf(clinic, req);
    sendPage(res, homePage({ ...context, people }));
  });

  // Each form carries a fresh booking key: submitting the same form twice books once.
  router.get(routes.book, async (req, res) => {
    const [context, experts] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.booking.listExperts(),
    ]);
    sendPage(res, bookingPage({ ...context, experts, bookingKey: randomUUID() }));
  });

  router.post(routes.book, async (req, res) => {
    const form = formOf(req);
    const [context, result] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.booking.bookMeeting(form),
    ]);
    if (!result.ok) {
      const experts = await clinic.booking.listExperts();
      const bookingKey = typeof form.bookingKey === 'string' ? form.bookingKey : randomUUID();
      const page = bookingPage({ ...context, experts, bookingKey, ...result });
      return sendPage(res, page, 400);
    }
    const { meeting, created } = result.value;
    const expert = (await clinic.booking.listExperts()).find(
      (e) => e.workosUserId === meeting.expertWorkosUserId,
    );
    const expertName = expert?.name ?? 'your expert';
    sendPage(
      res,
      bookingConfirmedPage({ ...context, meeting, expertName, created }),
      created ? 201 : 200,
    );
  });

  router.get(routes.devInbox, async (req, res, next) => {
    if (!clinic.inbox) return next(); // real WorkOS emails the codes: no such page
    const context = await pageContextOf(clinic, req);
    sendPage(res, inboxPage({ ...context, messages: clinic.inbox.messages() }));
  });

  // Where page guards send a signed-in person who may not open a page.
  router.get(routes.forbidden, async (req, res) => {
    const context = await pageContextOf(clinic, req);
    const message = 'Your account may not open that page.';
    sendPage(res, errorPage({ ...context, status: 403, title: 'Not for you', message }), 403);
  });

  return router;
}
