import {
  type Clinic,
  type DemoPerson,
  guestSignInPage,
  routes,
  signInPage,
} from '@orgkit-examples/clinic';
import { Router } from 'express';
import type { Session } from 'orgkit';
import { z } from 'zod';
import type { ClinicAuth } from '../app.js';
import { formOf, pageContextOf, queryOf, sendPage } from '../pages.js';

const email = z.email().max(254);
// Only same-site paths: `//evil.example` and absolute URLs are not followed (no open redirect).
const samePath = (value: string | undefined, fallback: string) =>
  value && /^\/(?![/\\])/.test(value) && !/[\r\n]/.test(value) ? value : fallback;

// orgkit's short-lived cookie tying AuthKit's answer to the browser that asked (login CSRF).
const STATE_COOKIE = 'orgkit-auth-state';

// What AuthKit's `error` parameter means, said for the person on the sign-in page.
const SIGN_IN_ERRORS: Record<string, string> = {
  user_not_found: 'There is no account with that email address.',
};

/**
 * Sign-in for experts and admins through AuthKit (`auth.signIn()`, `auth.callback()`), the step
 * after it that enters the user's organization and records the sign-in, sign-out, and the
 * guests' magic-auth sign-in with the code from their email (`auth.signInWithMagicAuth`).
 */
export function signInRoutes(clinic: Clinic, auth: ClinicAuth, people: DemoPerson[]): Router {
  const router = Router();

  router.get(routes.signIn, async (req, res) => {
    const context = await pageContextOf(clinic, req);
    const returnTo = samePath(queryOf(req, 'returnTo'), routes.dashboard);
    sendPage(res, signInPage({ ...context, returnTo, people }));
  });

  // The form's email goes to AuthKit as `login_hint`; a missing or malformed one is shown on the
  // form instead of being sent on.
  router.get(routes.authSignIn, async (req, res, next) => {
    const hint = queryOf(req, 'login_hint');
    if (hint !== undefined && email.safeParse(hint.trim()).success) return next();
    const context = await pageContextOf(clinic, req);
    const error = 'Enter your work email address, like name@clinic.example.';
    sendPage(res, signInPage({ ...context, email: hint, error, people }), 400);
  });
  router.get(routes.authSignIn, auth.signIn());

  // What the callback would refuse with a JSON error, said on the sign-in page instead: AuthKit's
  // own error, or a sign-in started too long ago or in another browser (its state cookie gone).
  router.get(routes.authCallback, async (req, res, next) => {
    const error = queryOf(req, 'error');
    const started = (req.headers.cookie ?? '').includes(`${STATE_COOKIE}=`);
    if (error === undefined && started) return next();
    const context = await pageContextOf(clinic, req);
    const message =
      error === undefined
        ? 'This sign-in expired or began in another browser. Start again.'
        : (SIGN_IN_ERRORS[error] ?? 'Sign-in did not complete. Try again.');
    sendPage(res, signInPage({ ...context, error: message, people }), error ? 401 : 400);
  });
  router.get(routes.authCallback, auth.callback());

  router.get(
    routes.authContinue,
    auth.requireAuth({ redirectTo: routes.signIn }),
    async (req, res) => {
      const session = req.auth?.session;
      if (!session) return res.redirect(303, routes.signIn);
      const organizationId = await clinic.signIn.organizationToEnter(session);
      // Sets the new session cookie on `res`; a refusal goes to the error page. A GET (AuthKit's
      // redirect lands here), which the switch accepts: only state-changing methods are judged
      // cross-site.
      const entered =
        organizationId && (await auth.switchOrganization(req, res, { organizationId }));
      if (entered && !entered.ok) throw entered.error;
      await clinic.signIn.recordSignIn(session, entered ? entered.organizationId : undefined);
      const target = samePath(queryOf(req, 'returnTo'), routes.dashboard);
      res.redirect(303, await landingFor(session, target));
    },
  );

  // The dashboard is an expert's page: an admin who asked for it lands on theirs, anyone else
  // on their meetings, rather than on a refusal.
  async function landingFor(session: Session, target: string): Promise<string> {
    if (target !== routes.dashboard) return target;
    const kind = (await clinic.viewer(session))?.kind;
    return kind === 'expert' ? target : kind === 'admin' ? routes.admin : routes.meetings;
  }

  router.post(routes.signOut, auth.signOut());

  router.get(routes.guestSignIn, async (req, res) => {
    const context = await pageContextOf(clinic, req);
    sendPage(res, guestSignInPage({ ...context, values: { email: queryOf(req, 'email') ?? '' } }));
  });

  // A wrong or expired code is shown on the form (401), as is a malformed email or code (400).
  router.post(routes.guestSignIn, async (req, res) => {
    const { email: typed, code } = formOf(req);
    const returnTo = `${routes.authContinue}?returnTo=${encodeURIComponent(routes.meetings)}`;
    const result = await auth.signInWithMagicAuth(req, res, { email: typed, code, returnTo });
    if (result.ok) return; // the redirect, with the session cookie, is sent
    const field = result.error.details?.key === 'email' ? 'email' : 'code';
    const context = await pageContextOf(clinic, req);
    const values = { email: typeof typed === 'string' ? typed : '' };
    const message = result.error.message.charAt(0).toUpperCase() + result.error.message.slice(1);
    const page = guestSignInPage({ ...context, values, errors: { [field]: message } });
    sendPage(res, page, result.status);
  });

  return router;
}
