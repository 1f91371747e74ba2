import { type Clinic, errorPage, type PageContext } from '@orgkit-examples/clinic';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { isOrgkitError } from 'orgkit';
import type { ClinicAuth, ClinicEnv } from './app.js';

const TITLES: Record<number, string> = {
  400: 'That did not work',
  401: 'Please sign in',
  403: 'Not for you',
  404: 'Page not found',
  429: 'Too many requests',
};

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Errors as pages. `auth.onError` answers first (it records a `forbidden` as `access.denied`
 * and reports unexpected errors), then a browser gets a page with the same status instead of
 * JSON: an orgkit error's message, or a plain sentence for anything else, never a stack.
 */
export function htmlErrors(clinic: Clinic, auth: ClinicAuth) {
  async function context(c: Context<ClinicEnv>): Promise<PageContext> {
    try {
      return await clinic.pageContext(c.var.session);
    } catch {
      return {};
    }
  }

  const onError: ErrorHandler<ClinicEnv> = async (error, c) => {
    const response = await auth.onError(error, c);
    if (!c.req.header('accept')?.includes('text/html')) return response;
    const status = response.status;
    const message =
      status >= 500 || !isOrgkitError(error)
        ? 'Something went wrong on our side. Please try again in a moment.'
        : sentence(error.message);
    const page = errorPage({
      ...(await context(c)),
      status,
      title: TITLES[status] ?? 'Something went wrong',
      message,
    });
    for (const cookie of response.headers.getSetCookie()) {
      c.header('set-cookie', cookie, { append: true });
    }
    const retryAfter = response.headers.get('retry-after');
    if (retryAfter) c.header('retry-after', retryAfter);
    return c.html(page, status as 500);
  };

  const notFound: NotFoundHandler<ClinicEnv> = async (c) =>
    c.html(
      errorPage({
        ...(await context(c)),
        status: 404,
        title: TITLES[404]!,
        message: 'There is nothing at this address.',
      }),
      404,
    );

  return { onError, notFound };
}
