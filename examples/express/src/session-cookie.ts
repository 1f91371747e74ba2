import type { Request, Response } from 'express';

/** orgkit's (and AuthKit's) session cookie name. */
export const SESSION_COOKIE = 'wos-session';
const MAX_AGE_MS = 400 * 24 * 3600 * 1000;
const LOCAL_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?$/i;

/** The sealed session the browser sent, if any. */
export function sessionCookieOf(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Replaces the session cookie with the same attributes orgkit's sign-in gives it: `HttpOnly`,
 * `SameSite=Lax`, `Path=/`, and `Secure` unless the app is reached on localhost.
 */
export function setSessionCookie(req: Request, res: Response, sealedSession: string): void {
  res.cookie(SESSION_COOKIE, sealedSession, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: MAX_AGE_MS,
    secure: !LOCAL_HOST.test(req.get('host') ?? ''),
  });
}
