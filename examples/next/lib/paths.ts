/** A same-site path to return to after sign-in; anything else (`//evil.example`, a URL) is `fallback`. */
export function safeReturnTo(value: unknown, fallback = '/dashboard'): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && value.length <= 2048
    ? value
    : fallback;
}
