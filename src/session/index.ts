export type { SessionVerifier } from './create-session-verifier.js';
export { createSessionVerifier } from './create-session-verifier.js';
export type { SessionVerifierOptions } from './options.js';
export type { Impersonator, Session, TokenRejectionReason } from './types.js';
