import * as z from 'zod';
import { extend } from 'zod/mini';
import { accessOptionsSchema } from '../access/policy.js';
import { AUDIT_DEFAULTS } from '../audit/defaults.js';
import { coreAuditSchema, coreConfigSchema, isObject, redisClient } from './core-schema.js';

const pgPool = z.custom<unknown>(
  (v) => isObject(v) && typeof v.query === 'function' && typeof v.connect === 'function',
  { message: 'expected a node-postgres Pool or Client (new Pool(...) from pg)' },
);

// One limit: at most `points` provisionings per `durationSeconds`, or `false` (off).
const guestLimit = (points: number) =>
  z
    .union([
      z.literal(false),
      z.strictObject({
        points: z.number().int().min(1).max(1_000_000_000),
        durationSeconds: z.number().int().min(1).max(31_536_000),
      }),
    ])
    .default({ points, durationSeconds: 3_600 });

/** `guests.limits` with its defaults. @internal */
export const guestLimitsSchema = z.strictObject({
  perIp: guestLimit(20),
  perEmail: guestLimit(10),
  global: guestLimit(1_000),
  store: z
    .union([
      z.literal('memory'),
      z.strictObject({ redis: redisClient }),
      z.strictObject({
        postgres: pgPool,
        tableName: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier')
          .optional(),
      }),
    ])
    .default('memory'),
  keyPrefix: z.string().min(1).max(100).default('orgkit:guests'),
  keySecret: z.string().min(32, 'use at least 32 characters of secret').optional(),
  missingIp: z.enum(['warn', 'error']).default('warn'),
  onWarning: z
    .custom<(message: string) => void>((v) => typeof v === 'function', {
      message: 'expected a function',
    })
    .optional(),
});

/** `audit.forwardToWorkOS` as an object, with its defaults. @internal */
export const auditForwardSchema = z.strictObject({
  batchSize: z.number().int().min(1).max(500).default(50),
  maxAttempts: z.number().int().min(1).max(100).default(10),
  baseDelayMs: z.number().int().min(0).default(1_000),
  maxDelayMs: z.number().int().min(0).default(300_000),
  leaseMs: z.number().int().min(1_000).default(60_000),
});

/** The zod schema of `createOrgkit`'s options: the core's and every capability's. @internal */
export const orgkitConfigSchema = extend(coreConfigSchema, {
  preferences: z
    .strictObject({
      schema: z
        .custom<unknown>(
          (v) =>
            isObject(v) &&
            (v as { _zod?: { def?: { type?: unknown } } })._zod?.def?.type === 'object',
          { message: 'expected a zod object schema, z.object({...})' },
        )
        .optional(),
    })
    .optional(),
  expertSetup: z
    .strictObject({
      steps: z.array(z.string().min(1)).min(1).optional(),
      resetPermission: z.string().min(1).optional(),
    })
    .optional(),
  guests: z
    .strictObject({
      ownerRole: z.string().min(1).default('owner'),
      sendMagicAuth: z.boolean().default(true),
      magicAuthWindowMs: z.number().int().min(0).default(600_000),
      organizationName: z
        .custom<(guest: { workosUserId: string; firstName?: string; lastName?: string }) => string>(
          (v) => typeof v === 'function',
          { message: 'expected a function returning the organization name' },
        )
        .optional(),
      leaseMs: z.number().int().min(1_000).default(30_000),
      waitTimeoutMs: z.number().int().positive().default(60_000),
      retry: z
        .strictObject({
          maxAttempts: z.number().int().min(1).max(20).default(5),
          baseDelayMs: z.number().int().min(0).default(200),
          maxDelayMs: z.number().int().min(0).default(5_000),
          maxRetryAfterMs: z.number().int().min(0).default(60_000),
        })
        .prefault({}),
      limits: z.union([z.literal(false), guestLimitsSchema]).prefault({}),
      verifyHuman: z
        .custom<(request: unknown) => boolean | Promise<boolean>>((v) => typeof v === 'function', {
          message: 'expected a function (request) => boolean | Promise<boolean>',
        })
        .optional(),
    })
    .prefault({}),
  audit: z.prefault(
    extend(coreAuditSchema, {
      retentionDays: z.number().int().min(1).max(36_500).default(AUDIT_DEFAULTS.retentionDays),
      checkpointKey: z.string().min(32, 'use at least 32 characters of secret').optional(),
      readPermission: z.string().min(1).optional(),
      forwardToWorkOS: z
        .union([
          z.literal(false),
          z.literal(true).transform(() => auditForwardSchema.parse({})),
          auditForwardSchema,
        ])
        .default(false),
    }),
    {},
  ),
  access: accessOptionsSchema.prefault({}),
  webhooks: z
    .strictObject({
      secret: z.string().min(1),
      toleranceMs: z.number().int().positive().default(180_000),
    })
    .optional(),
});

/** `createOrgkit`'s options after defaults are applied. @internal */
export type ParsedOrgkitConfig = z.output<typeof orgkitConfigSchema>;
