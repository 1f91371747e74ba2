import type { Clinic } from '@orgkit-examples/clinic';
import type { Request, Response } from 'express';

/** Sends a server-rendered page; never cached, since most pages show one person's data. */
export function sendPage(res: Response, markup: string, status = 200): void {
  res.status(status).set('cache-control', 'no-store').type('html').send(markup);
}

/** What the clinic's layout needs for this request: the signed-in viewer, if any. */
export const pageContextOf = (clinic: Clinic, req: Request) =>
  clinic.pageContext(req.auth?.session);

/** A form's fields as Express parsed them (urlencoded), or none for an empty or other body. */
export function formOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** A query parameter as one string; repeated or missing ones are `undefined`. */
export function queryOf(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}
