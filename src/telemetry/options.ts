import * as z from 'zod';

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

/** `telemetry` as parsed, with its defaults. @internal */
export const telemetryOptionsSchema = z
  .union([
    z.literal(false),
    z
      .strictObject({
        ids: z.enum(['keep', 'hash', 'drop']).default('keep'),
        idHashKey: z.string().min(32, 'use at least 32 characters of secret').optional(),
        clientIp: z.boolean().default(false),
      })
      .refine((o) => o.ids !== 'hash' || o.idHashKey !== undefined, {
        message: "ids: 'hash' needs telemetry.idHashKey (a secret of at least 32 characters)",
        path: ['idHashKey'],
      }),
  ])
  .prefault({});

/** @internal */
export type ParsedTelemetryOptions = z.output<typeof telemetryOptionsSchema>;
