import './globals.css';
import { withAuth as authkitWithAuth } from '@workos-inc/authkit-nextjs';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getClinic } from '../lib/clinic';
import { signOutAction } from './actions';

export const metadata: Metadata = { title: 'Harbor Clinic (orgkit + Next.js)' };

interface Viewer {
  name: string;
  kind: 'expert' | 'admin' | 'guest';
}

/** Who is signed in, for the navigation; nobody when the session does not verify. */
async function viewer(): Promise<Viewer | undefined> {
  const info = await authkitWithAuth();
  if (!info.user) return undefined;
  try {
    const { auth } = getClinic();
    const { roles } = await auth.withAuth();
    const kind = roles.includes('admin') ? 'admin' : roles.includes('expert') ? 'expert' : 'guest';
    const name = [info.user.firstName, info.user.lastName].filter(Boolean).join(' ');
    return { name: name || info.user.email, kind };
  } catch {
    return undefined;
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const v = await viewer();
  const devInbox = Boolean(process.env.CLINIC_WORKOS_EMULATOR_URL);
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header>
          <nav aria-label="Main">
            <ul>
              <li>
                <Link href="/">Harbor Clinic</Link>
              </li>
              <li>
                <Link href="/book">Book a meeting</Link>
              </li>
              {v?.kind === 'expert' && (
                <li>
                  <Link href="/dashboard">Dashboard</Link>
                </li>
              )}
              {v && (
                <li>
                  <Link href="/meetings">{v.kind === 'guest' ? 'My bookings' : 'Meetings'}</Link>
                </li>
              )}
              {v?.kind === 'guest' && (
                <li>
                  <Link href="/my-access">Who accessed my records</Link>
                </li>
              )}
              {v?.kind === 'expert' && (
                <li>
                  <Link href="/emergency-access">Emergency access</Link>
                </li>
              )}
              {v?.kind === 'admin' && (
                <li>
                  <Link href="/admin">Admin</Link>
                </li>
              )}
              {v?.kind === 'admin' && (
                <li>
                  <Link href="/admin/emergency-access">Emergency reviews</Link>
                </li>
              )}
              {devInbox && (
                <li>
                  <Link href="/dev/inbox">Dev inbox</Link>
                </li>
              )}
              {v ? (
                <li>
                  <form action={signOutAction} className="inline">
                    <span>Signed in as {v.name}</span>
                    <button type="submit">Sign out</button>
                  </form>
                </li>
              ) : (
                <>
                  <li>
                    <Link href="/sign-in">Expert sign-in</Link>
                  </li>
                  <li>
                    <Link href="/guest/sign-in">Guest sign-in</Link>
                  </li>
                </>
              )}
            </ul>
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
