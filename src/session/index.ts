// CONTRACT STUB — replaced by the session implementation.
import type { Session } from './types.js';

export type { Impersonator, Session } from './types.js';

/** Options for {@link createSessionVerifier}. */
export interface SessionVerifierOptions {
  jwksUrl: string;
  issuers: readonly string[];
  audience?: string | readonly string[] | undefined;
  clockToleranceSeconds: number;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
  verifiedTokenCache: false | { max: number };
}

export interface SessionVerifier {
  verifyAccessToken(token: string): Promise<Session>;
}

export function createSessionVerifier(_options: SessionVerifierOptions): SessionVerifier {
  throw new Error('not implemented');
}
