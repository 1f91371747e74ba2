import {
  accessReportPage,
  breakGlassPage,
  type Clinic,
  emergencyReviewPage,
  routes,
} from '@orgkit-examples/clinic';
import { Router } from 'express';
import type { ClinicAuth } from '../app.js';
import { formOf, pageContextOf, sendPage } from '../pages.js';

/**
 * Access accounting: a person's own access report (`orgkit.accessReport`), an expert breaking
 * the glass for a patient (`orgkit.breakGlass`; the meetings pages then show the patient's
 * meetings through the RLS policy's emergency way in), and the admin's review of each grant.
 * orgkit checks the review permission in the grant's organization and records every step.
 */
export function emergencyRoutes(clinic: Clinic, auth: ClinicAuth): Router {
  const router = Router();
  const signedIn = auth.requireAuth({ redirectTo: routes.forbidden });
  const expert = auth.requireRole('expert', { redirectTo: routes.forbidden });
  const admin = auth.requirePermission('experts:manage', { redirectTo: routes.forbidden });

  router.get(routes.myAccess, signedIn, async (req, res) => {
    const [context, report] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.meetings.myAccessReport(),
    ]);
    sendPage(res, accessReportPage({ ...context, ...report }));
  });

  router.get(routes.emergencyAccess, expert, async (req, res) => {
    sendPage(res, breakGlassPage(await pageContextOf(clinic, req)));
  });

  router.post(routes.emergencyAccess, expert, async (req, res) => {
    const result = await clinic.emergencyAccess.breakGlass(formOf(req));
    if (result.ok) return res.redirect(303, routes.meetings);
    sendPage(res, breakGlassPage({ ...(await pageContextOf(clinic, req)), ...result }), 400);
  });

  router.get(routes.emergencyReview, admin, async (req, res) => {
    const [context, list] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.emergencyAccess.listForReview(),
    ]);
    sendPage(res, emergencyReviewPage({ ...context, ...list }));
  });

  router.post(routes.emergencyReview, admin, async (req, res) => {
    const result = await clinic.emergencyAccess.review(formOf(req));
    if (result.ok) return res.redirect(303, routes.emergencyReview);
    const [context, list] = await Promise.all([
      pageContextOf(clinic, req),
      clinic.emergencyAccess.listForReview(),
    ]);
    const error = Object.values(result.errors)[0];
    sendPage(res, emergencyReviewPage({ ...context, ...list, error }), 400);
  });

  return router;
}
