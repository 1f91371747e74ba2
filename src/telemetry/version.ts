// Replaced by the build (tsup `define`) with package.json's version; source runs (tests, tsx)
// report `dev`.
declare const __ORGKIT_VERSION__: string | undefined;

/** orgkit's version, the instrumentation scope version of its tracer and meter. @internal */
export const ORGKIT_VERSION: string =
  typeof __ORGKIT_VERSION__ === 'string' ? __ORGKIT_VERSION__ : 'dev';
