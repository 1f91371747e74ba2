/**
 * `orgkit/testing`: what orgkit's own tests and your tests need.
 * @packageDocumentation
 */

export type { TestDatabase, TestDatabaseOptions } from './database.js';
export { createTestDatabase } from './database.js';
export { createTestTokenIssuer } from './token-issuer.js';
export type {
  MintOptions,
  TestTokenClaims,
  TestTokenIssuer,
  TestTokenIssuerOptions,
} from './token-issuer.js';
