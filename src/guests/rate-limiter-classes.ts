import type * as Flexible from 'rate-limiter-flexible';
import type { GuestLimitStore } from './limits.js';

/** The rate-limiter-flexible classes one store needs. @internal */
export interface RateLimiterClasses {
  RateLimiterRes: typeof Flexible.RateLimiterRes;
  RateLimiterMemory: typeof Flexible.RateLimiterMemory;
  RateLimiterRedis?: typeof Flexible.RateLimiterRedis;
  RateLimiterPostgres?: typeof Flexible.RateLimiterPostgres;
}

// The package's index requires all of its ~30 stores (171 KiB in a Worker bundle); its files
// (CommonJS, one class each, no exports map) are imported one by one instead, so a bundle holds
// only the classes the configured store uses. `default` is the class under ESM interop.
const classOf = <T>(module: unknown): T => ((module as { default?: T }).default ?? module) as T;

/** Loads the classes of `store`. @internal */
export async function rateLimiterClasses(store: GuestLimitStore): Promise<RateLimiterClasses> {
  const [res, memory] = await Promise.all([
    import('rate-limiter-flexible/lib/RateLimiterRes.js'),
    import('rate-limiter-flexible/lib/RateLimiterMemory.js'),
  ]);
  const classes: RateLimiterClasses = {
    RateLimiterRes: classOf(res),
    RateLimiterMemory: classOf(memory),
  };
  if (store === 'memory') return classes;
  if ('redis' in store) {
    classes.RateLimiterRedis = classOf(
      await import('rate-limiter-flexible/lib/RateLimiterRedis.js'),
    );
  } else {
    classes.RateLimiterPostgres = classOf(
      await import('rate-limiter-flexible/lib/RateLimiterPostgres.js'),
    );
  }
  return classes;
}
