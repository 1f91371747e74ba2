export { createSignOutEverywhere, type SignOutEverywhereDeps } from './sign-out-everywhere.js';
export type { RevocationApi, SignOutEverywhereResult } from './types.js';
