import { type Clinic, errorPage } from '@orgkit-examples/clinic';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { isOrgkitError } from 'orgkit';
import type { ClinicAuth } from './app.js';
import { pageContextOf, sendPage } from './pages.js';

/** The last route: any path the app does not serve. */
export function notFound(clinic: Clinic): RequestHandler {
  return async (req, res) => {
    const context = await pageContextOf(clinic, req);
    const message = 'There is no page at this address.';
    sendPage(res, errorPage({ ...context, status: 404, title: 'Page not found', message }), 404);
  };
}

// Body parsers mark what they refused (malformed, too large) with a 4xx `status`.
const clientStatus = (error: unknown) => {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
};

const TITLES: Record<number, string> = {
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  429: 'Too many requests',
};

/**
 * Errors as pages, never a stack trace. orgkit's `auth.errorHandler({ render })` works out the
 * status and headers (`Retry-After`), records a refusal (`access.denied`) in the audit log, and
 * hands over an answer whose message is written for people; anything else is a bare 500 (logged
 * on the server, never shown). A body the parser refused gets its own short page first.
 */
export function errorHandlers(clinic: Clinic, auth: ClinicAuth): ErrorRequestHandler[] {
  const render = async (req: Request, res: Response, status: number, message: string) => {
    const title = TITLES[status] ?? (status < 500 ? 'Check your request' : 'Something went wrong');
    const context = await pageContextOf(clinic, req).catch(() => ({}));
    sendPage(res, errorPage({ ...context, status, title, message }), status);
  };
  const refusedBody: ErrorRequestHandler = (error, req, res, next) => {
    const status = isOrgkitError(error) ? undefined : clientStatus(error);
    if (status === undefined || res.headersSent) return next(error);
    render(req, res, status, 'The form could not be read. Go back and try again.').catch(next);
  };
  const orgkitErrors = auth.errorHandler({
    render: ({ status, error }, req, res) =>
      render(
        req,
        res,
        status,
        status < 500 ? error.message : 'Something went wrong on our side. Try again in a moment.',
      ),
  });
  return [refusedBody, orgkitErrors];
}
