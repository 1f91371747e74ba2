// rate-limiter-flexible's single-class files (no typings of their own): each default-exports one
// class, typed where it is loaded (rate-limiter-classes.ts) by the package's index declarations.
declare module 'rate-limiter-flexible/lib/*' {
  const RateLimiterClass: unknown;
  export default RateLimiterClass;
}
