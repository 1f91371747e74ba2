import { authkitProxy } from '@workos-inc/authkit-nextjs';
import type { NextFetchEvent, NextRequest } from 'next/server';
import { createProxyCheck } from 'orgkit/next';

// AuthKit's proxy (Next 16's middleware) reads and refreshes the session cookie on every request
// and hands the session to `withAuth` in pages and actions. The redirect URI is read at run time
// from WORKOS_REDIRECT_URI (AuthKit's own NEXT_PUBLIC_ variable would be fixed at build time).
const authkit = authkitProxy({ redirectUri: process.env.WORKOS_REDIRECT_URI });

// orgkit's optimistic check: no session cookie at all means sign-in, before anything renders.
// It verifies nothing; every page still checks with `auth.withAuth`.
const check = createProxyCheck({
  protect: ['/dashboard', '/admin', '/meetings', '/my-access', '/emergency-access'],
  signInUrl: '/sign-in',
});

export default function proxy(request: NextRequest, event: NextFetchEvent) {
  return check(request) ?? authkit(request, event);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
