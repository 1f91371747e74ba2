/**
 * `orgkit/testing`: what orgkit's own tests and your tests need.
 * @module orgkit/testing
 */

export type { TestDatabase, TestDatabaseOptions } from './database.js';
export { createTestDatabase } from './database.js';
export type { WorkOSEmulator, WorkOSEmulatorOptions } from './emulator.js';
export { startWorkOSEmulator } from './emulator.js';
export type { FaultKind, FaultRule, FaultyFetch, FaultyFetchOptions } from './fault-fetch.js';
export { createFaultyFetch } from './fault-fetch.js';
export type {
  MintOptions,
  TestTokenClaims,
  TestTokenIssuer,
  TestTokenIssuerOptions,
} from './token-issuer.js';
export { createTestTokenIssuer } from './token-issuer.js';
export type { WorkOSTestClientOptions, WorkOSTestTarget } from './workos-client.js';
export { createWorkOSTestClient } from './workos-client.js';
