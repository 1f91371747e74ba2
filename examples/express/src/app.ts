import { type Clinic, type DemoPerson, routes } from '@orgkit-examples/clinic';
import express, { type Express } from 'express';
import { createExpressAuth, type ExpressAuth } from 'orgkit/express';
import { errorHandlers, notFound } from './errors.js';
import { emergencyRoutes } from './routes/emergency.js';
import { memberRoutes } from './routes/members.js';
import { publicRoutes } from './routes/public.js';
import { signInRoutes } from './routes/sign-in.js';

/** The orgkit adapter of the clinic's instance, as the routes receive it. */
export type ClinicAuth = ExpressAuth<Clinic['orgkit']>;

/**
 * The clinic on Express 5. orgkit's middleware (`auth.express()`) opens the request scope every
 * clinic service reads (session, IP, user agent, request id); the routes only parse forms and
 * send pages.
 */
export function createClinicApp(
  clinic: Clinic,
  options: { morePeople?: DemoPerson[] } = {},
): Express {
  // The people the start and sign-in pages suggest (emulator mode only).
  const people = [...clinic.demoPeople, ...(options.morePeople ?? [])];
  const auth = createExpressAuth(clinic.orgkit, {
    session: { ...clinic.sessionOptions, afterSignOutUrl: new URL('/', clinic.baseUrl).href },
    signInUrl: routes.signIn,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(auth.express());
  app.use(publicRoutes(clinic, people));
  app.use(signInRoutes(clinic, auth, people));
  app.use(memberRoutes(clinic, auth));
  app.use(emergencyRoutes(clinic, auth));
  app.use(notFound(clinic));
  app.use(errorHandlers(clinic, auth));
  return app;
}
