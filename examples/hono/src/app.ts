import { type Clinic, routes } from '@orgkit-examples/clinic';
import { Hono } from 'hono';
import { createHonoAuth, type OrgkitEnv } from 'orgkit/hono';
import { htmlErrors } from './html-errors.js';
import { authRoutes } from './routes/auth.js';
import { emergencyRoutes } from './routes/emergency.js';
import { expertRoutes } from './routes/expert.js';
import { memberRoutes } from './routes/member.js';
import { publicRoutes } from './routes/public.js';

/** The Hono `Env` of the clinic's routes: orgkit's `c.var.session`, `c.var.orgkit`, … */
export type ClinicEnv = OrgkitEnv<Clinic['orgkit']>;

/**
 * The clinic on Hono. `createHonoAuth` does the auth work: `middleware()` reads the session
 * cookie (refreshing it when the access token expired) and runs every request in orgkit's request
 * scope, so audit events carry the user, organization, IP and user agent; the guards check roles
 * and permissions; `signIn()`, `callback()`, `signOut()` and `signInWithMagicAuth()` handle
 * WorkOS sign-in into a sealed-session cookie.
 */
export function createApp(clinic: Clinic) {
  const auth = createHonoAuth(clinic.orgkit, {
    session: { ...clinic.sessionOptions, afterSignOutUrl: new URL('/', clinic.baseUrl).href },
    signInUrl: routes.signIn,
  });
  const app = new Hono<ClinicEnv>();
  app.use(auth.middleware());
  const errors = htmlErrors(clinic, auth);
  app.onError(errors.onError);
  app.notFound(errors.notFound);

  app.route('/', publicRoutes(clinic, auth));
  app.route('/', authRoutes(clinic, auth));
  app.route('/', memberRoutes(clinic, auth));
  app.route('/', expertRoutes(clinic, auth));
  app.route('/', emergencyRoutes(clinic, auth));
  return app;
}

/** What `createHonoAuth` returns for the clinic. */
export type ClinicAuth = ReturnType<typeof createHonoAuth<Clinic['orgkit']>>;
