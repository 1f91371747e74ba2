import type { OrgkitErrorCode } from './codes.js';

const BRAND = Symbol.for('orgkit.error');

/** Longest message kept: one quoting a caller's 100 kB value must not flood logs or clients. */
export const MAX_ERROR_MESSAGE_LENGTH = 1_000;

function boundedMessage(message: string): string {
  if (message.length <= MAX_ERROR_MESSAGE_LENGTH) return message;
  return `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…`;
}

/** Options accepted by {@link OrgkitError}. */
export interface OrgkitErrorOptions {
  /** The underlying error, kept for debugging; never serialised to clients. */
  cause?: unknown;
  /** A machine-readable detail, e.g. the reason a token was rejected. */
  reason?: string;
  /** Extra structured data safe to show to the caller (never secrets or tokens). */
  details?: Record<string, unknown>;
}

/**
 * The one error class orgkit throws for expected failures.
 *
 * @example
 * ```ts
 * try { await orgkit.verifyAccessToken(token) }
 * catch (e) { if (isOrgkitError(e) && e.code === 'unauthenticated') return new Response(null, { status: 401 }) }
 * ```
 */
export class OrgkitError extends Error {
  readonly code: OrgkitErrorCode;
  readonly reason: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  constructor(code: OrgkitErrorCode, message: string, options: OrgkitErrorOptions = {}) {
    super(
      boundedMessage(message),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'OrgkitError';
    this.code = code;
    this.reason = options.reason;
    this.details = options.details;
  }

  /** A JSON body safe to send to clients: `{ error: { code, message } }`. */
  toJSON(): { error: { code: OrgkitErrorCode; message: string; reason?: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.reason ? { reason: this.reason } : {}),
      },
    };
  }
}

/**
 * True for any orgkit error, also one thrown by a second copy of the package
 * (the brand is a global symbol, so `instanceof` across copies is not needed).
 */
export function isOrgkitError(value: unknown): value is OrgkitError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}
