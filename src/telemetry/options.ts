import * as z from 'zod/mini';

/**
 * `createOrgkit({ telemetry })`: OpenTelemetry spans and metrics through the app's own SDK.
 * Nothing is recorded until the app registers one; `false` turns it off for this instance.
 */
export interface TelemetryOptions {
  /**
   * WorkOS user and organization ids on spans: as they are, as a keyed hash (HMAC-SHA256 under
   * `idHashKey`, the same id always the same hash), or left out. @default 'keep'
   */
  ids?: 'keep' | 'hash' | 'drop';
  /** The secret (≥ 32 characters) `ids: 'hash'` hashes with. */
  idHashKey?: string;
  /** Put the client's IP address (`client.address`) on guard spans. @default false */
  clientIp?: boolean;
}

// zod/mini: the core (createOrgkitCore) parses it, and a Worker's bundle keeps only mini.
/** `telemetry` as parsed, with its defaults. @internal */
export const telemetryOptionsSchema = z.prefault(
  z.union([
    z.literal(false),
    z
      .strictObject({
        ids: z._default(z.enum(['keep', 'hash', 'drop']), 'keep'),
        idHashKey: z.optional(
          z.string().check(z.minLength(32, 'use at least 32 characters of secret')),
        ),
        clientIp: z._default(z.boolean(), false),
      })
      .check(
        z.refine((o) => o.ids !== 'hash' || o.idHashKey !== undefined, {
          message: "ids: 'hash' needs telemetry.idHashKey (a secret of at least 32 characters)",
          path: ['idHashKey'],
        }),
      ),
  ]),
  {},
);

/** @internal */
export type ParsedTelemetryOptions = z.output<typeof telemetryOptionsSchema>;
