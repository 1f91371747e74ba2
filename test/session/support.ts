import { expect } from 'vitest';
import { isOrgkitError } from '../../src/errors/index.js';
import {
  createSessionVerifier,
  type SessionVerifier,
  type SessionVerifierOptions,
  type TokenRejectionReason,
} from '../../src/session/index.js';
import type { TestTokenIssuer } from '../../src/testing/token-issuer.js';

/** A verifier trusting `issuer`, with createOrgkit's defaults unless overridden. */
export function verifierFor(
  issuer: Pick<TestTokenIssuer, 'jwksUrl' | 'issuer'>,
  overrides: Partial<SessionVerifierOptions> = {},
): SessionVerifier {
  return createSessionVerifier({
    jwksUrl: issuer.jwksUrl,
    issuers: [issuer.issuer],
    clockToleranceSeconds: 5,
    jwksCooldownMs: 30_000,
    jwksCacheMaxAgeMs: 600_000,
    verifiedTokenCache: false,
    ...overrides,
  });
}

/** Asserts `promise` rejects with `unauthenticated` for `reason`, and that the token is not in the message. */
export async function expectRejected(
  promise: Promise<unknown>,
  reason: TokenRejectionReason,
  token?: string,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isOrgkitError(error), `expected an OrgkitError, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject({ code: 'unauthenticated', reason });
  if (token) {
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    for (const segment of token.split('.').filter((s) => s.length > 8)) {
      expect(text).not.toContain(segment);
    }
  }
}
