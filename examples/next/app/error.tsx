'use client';
import Link from 'next/link';

/** Any unexpected error: a plain message, never the error itself (Next logs it on the server). */
export default function ErrorPage() {
  return (
    <>
      <h1>Something went wrong</h1>
      <p role="alert">This page could not be shown. Please try again in a moment.</p>
      <p>
        <Link href="/">Back to the start</Link>
      </p>
    </>
  );
}
