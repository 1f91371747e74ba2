// rate-limiter-flexible's single-class files, typed by its index's declarations.
declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  const RateLimiterRes: typeof import('rate-limiter-flexible').RateLimiterRes;
  export default RateLimiterRes;
}
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  const RateLimiterMemory: typeof import('rate-limiter-flexible').RateLimiterMemory;
  export default RateLimiterMemory;
}
declare module 'rate-limiter-flexible/lib/RateLimiterRedis.js' {
  const RateLimiterRedis: typeof import('rate-limiter-flexible').RateLimiterRedis;
  export default RateLimiterRedis;
}
declare module 'rate-limiter-flexible/lib/RateLimiterPostgres.js' {
  const RateLimiterPostgres: typeof import('rate-limiter-flexible').RateLimiterPostgres;
  export default RateLimiterPostgres;
}
