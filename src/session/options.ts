import * as z from 'zod/mini';
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

const nonEmpty = z.string().check(z.minLength(1));
const nonNegativeInt = z.number().check(z.int(), z.gte(0));

/** @internal */
export const sessionVerifierOptionsSchema = z.strictObject({
  jwksUrl: z.url({ protocol: /^https?$/ }),
  issuers: z.array(nonEmpty).check(z.minLength(1)),
  audience: z.optional(z.union([nonEmpty, z.array(nonEmpty).check(z.minLength(1))])),
  clockToleranceSeconds: z.number().check(z.int(), z.gte(0), z.lte(300)),
  jwksCooldownMs: nonNegativeInt,
  jwksCacheMaxAgeMs: nonNegativeInt,
  verifiedTokenCache: z.union([
    z.literal(false),
    z.strictObject({ max: z.number().check(z.int(), z.positive()) }),
  ]),
  jwksTimeoutMs: z._default(z.number().check(z.int(), z.positive()), 5_000),
  jwksMaxStaleMs: z._default(nonNegativeInt, 3_600_000),
  jwksFailureCooldownMs: z._default(nonNegativeInt, 5_000),
  now: z.optional(
    z.custom<() => number>((v) => typeof v === 'function', { message: 'expected a function' }),
  ),
  telemetry: z.optional(
    z.custom<Telemetry>((v) => typeof (v as Telemetry | null)?.recorder === 'function', {
      message: 'expected orgkit telemetry',
    }),
  ),
});
