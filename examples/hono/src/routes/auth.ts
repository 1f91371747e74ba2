import { type Clinic, guestSignInPage, routes, signInPage } from '@orgkit-examples/clinic';
import { type Context, Hono } from 'hono';
import type { ClinicAuth, ClinicEnv } from '../app.js';
import { readForm } from '../read-form.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A path on this site, never `//other.example`: what may follow a sign-in. */
const localPath = (value: string | undefined, fallback: string) =>
  value && /^\/(?![/\\])/.test(value) && !/[\r\n]/.test(value) ? value : fallback;

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Sign-in for experts and admins (WorkOS AuthKit, `login_hint` from the form), for guests (email
 * and magic-auth code, `auth.signInWithMagicAuth`), the step after either, and sign-out.
 */
export function authRoutes(clinic: Clinic, auth: ClinicAuth) {
  const app = new Hono<ClinicEnv>();
  const context = (c: { var: ClinicEnv['Variables'] }) => clinic.pageContext(c.var.session);
  const signInForm = async (c: Context<ClinicEnv>, error: string, status: 400 | 401) =>
    c.html(
      signInPage({
        ...(await context(c)),
        email: c.req.query('login_hint'),
        returnTo: c.req.query('returnTo'),
        error,
        people: clinic.demoPeople,
      }),
      status,
    );

  app.get(routes.signIn, async (c) =>
    c.html(
      signInPage({
        ...(await context(c)),
        returnTo: localPath(c.req.query('returnTo'), routes.dashboard),
        people: clinic.demoPeople,
      }),
    ),
  );

  // The form's email goes to AuthKit as `login_hint`; a typo is caught here, not at WorkOS.
  const signIn = auth.signIn();
  app.get(routes.authSignIn, async (c, next) => {
    if (!EMAIL.test(c.req.query('login_hint') ?? '')) {
      return signInForm(c, 'Enter your work email address', 400);
    }
    return signIn(c, next);
  });

  const callback = auth.callback();
  app.get(routes.authCallback, async (c, next) => {
    // The emulator answers an unknown `login_hint` with `error=user_not_found`.
    if (c.req.query('error')) return signInForm(c, 'No account uses that email address', 401);
    // (Not `instanceof Response`: @hono/node-server swaps the global Response class.)
    const response = (await callback(c, next)) as Response;
    if (response.status < 400) return response;
    // A stale or replayed callback (state mismatch, a used code): the form again, with why.
    const { error } = (await response.json()) as { error?: { message?: string } };
    return signInForm(c, sentence(error?.message ?? 'sign-in did not complete; try again'), 400);
  });

  // After AuthKit or a magic-auth code: enter the user's organization, record the sign-in. A GET
  // (AuthKit's redirect lands here), which the switch accepts: only state-changing methods are
  // judged cross-site.
  app.get(routes.authContinue, async (c) => {
    const session = c.var.session;
    const returnTo = localPath(c.req.query('returnTo'), routes.home);
    if (!session) return c.redirect(routes.signIn);
    const organizationId = await clinic.signIn.organizationToEnter(session);
    // `auth.switchOrganization` sets the new session cookie on `c`; the redirect carries it.
    const entered = organizationId && (await auth.switchOrganization(c, { organizationId }));
    if (entered && !entered.ok) throw entered.error;
    await clinic.signIn.recordSignIn(session, entered ? entered.organizationId : undefined);
    return c.redirect(returnTo, 303);
  });

  app.post(routes.signOut, auth.signOut());

  app.get(routes.guestSignIn, async (c) =>
    c.html(
      guestSignInPage({ ...(await context(c)), values: { email: c.req.query('email') ?? '' } }),
    ),
  );

  app.post(routes.guestSignIn, async (c) => {
    const form = await readForm(c);
    const result = await auth.signInWithMagicAuth(c, {
      email: form.email,
      code: form.code,
      returnTo: `${routes.authContinue}?returnTo=${encodeURIComponent(routes.meetings)}`,
    });
    if (result.ok) return result.response;
    const key = (result.error.details as { key?: string } | undefined)?.key;
    const field =
      key === 'email' || key === 'code'
        ? key
        : result.error.reason === 'invalid_code'
          ? 'code'
          : 'form';
    const page = guestSignInPage({
      ...(await context(c)),
      values: { email: typeof form.email === 'string' ? form.email : '' },
      errors: { [field]: sentence(result.error.message) },
    });
    return c.html(page, result.status as 400);
  });
  return app;
}
