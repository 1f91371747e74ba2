import * as z from 'zod';
import type { Telemetry } from '../telemetry/index.js';

/** Options for {@link createSessionVerifier}. */
export interface SessionVerifierOptions {
  /** Where the signing keys are, e.g. `workos.userManagement.getJwksUrl(clientId)`. */
  jwksUrl: string;
  /** Accepted `iss` values; a token from any other issuer is rejected. */
  issuers: readonly string[];
  /** Required `aud` (any one of them). Checked only when set: WorkOS production tokens carry none. */
  audience?: string | readonly string[] | undefined;
  /** Leeway for `exp` and `nbf` against clock skew between WorkOS and this server. */
  clockToleranceSeconds: number;
  /** Minimum time between JWKS refetches triggered by an unknown `kid`. */
  jwksCooldownMs: number;
  /** Refetch the JWKS once it is older than this. */
  jwksCacheMaxAgeMs: number;
  /** Cache verified tokens until their `exp` (bounded LRU), or `false`. */
  verifiedTokenCache: false | { max: number };
  /** Give up on one JWKS request after this long. @default 5000 */
  jwksTimeoutMs?: number | undefined;
  /**
   * While a refresh of the JWKS fails, keep verifying with the last set read, for at most this
   * long past `jwksCacheMaxAgeMs`; `0` never uses a set past its age. @default 3600000
   */
  jwksMaxStaleMs?: number | undefined;
  /**
   * After a failed read of the JWKS, send no new request for this long: verifications meanwhile
   * use the last set (within `jwksMaxStaleMs`) or, with none, fail at once with
   * `jwks_unavailable`; then the next one asks again. `0` asks on every verification. @default 5000
   */
  jwksFailureCooldownMs?: number | undefined;
  /** The clock, in ms since the epoch. For tests that move time. @default Date.now @internal */
  now?: (() => number) | undefined;
  /** Spans and metrics of verifications and JWKS reads (createOrgkit's). @internal */
  telemetry?: Telemetry | undefined;
}

const nonNegativeInt = z.number().int().min(0);

/** @internal */
export const sessionVerifierOptionsSchema = z.strictObject({
  jwksUrl: z.url({ protocol: /^https?$/ }),
  issuers: z.array(z.string().min(1)).min(1),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  clockToleranceSeconds: nonNegativeInt.max(300),
  jwksCooldownMs: nonNegativeInt,
  jwksCacheMaxAgeMs: nonNegativeInt,
  verifiedTokenCache: z.union([
    z.literal(false),
    z.strictObject({ max: z.number().int().positive() }),
  ]),
  jwksTimeoutMs: z.number().int().positive().default(5_000),
  jwksMaxStaleMs: nonNegativeInt.default(3_600_000),
  jwksFailureCooldownMs: nonNegativeInt.default(5_000),
  now: z
    .custom<() => number>((v) => typeof v === 'function', { message: 'expected a function' })
    .optional(),
  telemetry: z
    .custom<Telemetry>((v) => typeof (v as Telemetry | null)?.recorder === 'function', {
      message: 'expected orgkit telemetry',
    })
    .optional(),
});
