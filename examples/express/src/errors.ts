import { type Clinic, errorPage } from '@orgkit-examples/clinic';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HTTP_STATUS_BY_CODE, isOrgkitError } from 'orgkit';
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

/**
 * Errors as pages, never a stack trace: an orgkit error shows its message (written for people)
 * with its HTTP status, a refused request body a short explanation, anything else a plain 500
 * while the error itself goes to the server log.
 */
export function errorHandler(clinic: Clinic): ErrorRequestHandler {
  return async (error, req, res, next) => {
    if (res.headersSent) return next(error);
    let status = 500;
    let title = 'Something went wrong';
    let message = 'Something went wrong on our side. Try again in a moment.';
    if (isOrgkitError(error)) {
      status = HTTP_STATUS_BY_CODE[error.code];
      const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)
        ?.retryAfterSeconds;
      if (typeof retryAfter === 'number') res.set('retry-after', String(Math.ceil(retryAfter)));
      if (status < 500) {
        title =
          status === 403 ? 'Not allowed' : status === 401 ? 'Please sign in' : 'Check your request';
        message = error.message;
      }
    } else if (clientStatus(error)) {
      status = clientStatus(error) ?? 400;
      title = 'Check your request';
      message = 'The form could not be read. Go back and try again.';
    }
    if (status >= 500) console.error(`${req.method} ${req.path}:`, error);
    try {
      const context = await pageContextOf(clinic, req).catch(() => ({}));
      sendPage(res, errorPage({ ...context, status, title, message }), status);
    } catch (renderError) {
      next(renderError);
    }
  };
}
