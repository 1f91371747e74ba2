import * as z from 'zod';
import { accessOptionsSchema } from '../access/policy.js';
import { AUDIT_DEFAULTS } from '../audit/defaults.js';
import { telemetryOptionsSchema } from '../telemetry/options.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const drizzleDatabase = z.custom<unknown>(
  (v) =>
    typeof v === 'function' ||
    (isObject(v) && typeof v.select === 'function' && typeof v.transaction === 'function'),
  {
    message:
      'expected a drizzle Postgres database (drizzle(...) from drizzle-orm) or a function returning one',
  },
);

const workosClient = z.custom<unknown>(
  (v) => isObject(v) && isObject(v.userManagement) && isObject(v.organizations),
  { message: 'expected a WorkOS client (new WorkOS(...) from @workos-inc/node)' },
);

const redisClient = z.custom<unknown>(
  (v) => isObject(v) && typeof v.publish === 'function' && typeof v.duplicate === 'function',
  { message: 'expected an ioredis client' },
);

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

/** The zod schema of `createOrgkit`'s options. @internal */
export const orgkitConfigSchema = z.strictObject({
  database: drizzleDatabase.optional(),
  preparedStatements: z.boolean().default(true),
  workos: workosClient.optional(),
  clientId: z.string().min(1).optional(),
  accessControl: z
    .custom<unknown>(isObject, { message: 'expected defineAccessControl(...)' })
    .optional(),
  tables: z.custom<unknown>(isObject, { message: 'expected createOrgkitTables(...)' }).optional(),
  session: z
    .strictObject({
      jwksUrl: z.url().optional(),
      issuers: z.array(z.string().min(1)).min(1).optional(),
      audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
      clockToleranceSeconds: z.number().int().min(0).max(300).default(5),
      jwksCooldownMs: z.number().int().min(0).default(30_000),
      jwksCacheMaxAgeMs: z.number().int().min(1_000).default(600_000),
      jwksMaxStaleMs: z.number().int().min(0).default(3_600_000),
      jwksFailureCooldownMs: z.number().int().min(0).default(5_000),
      verifiedTokenCache: z
        .union([
          z.literal(false),
          z.strictObject({ max: z.number().int().positive().default(10_000) }),
        ])
        .default(false),
    })
    .prefault({}),
  cache: z
    .strictObject({
      ttlMs: z.number().int().positive().default(30_000),
      max: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  redis: z
    .union([
      z.strictObject({ url: z.string().min(1), channel: z.string().min(1).optional() }),
      z.strictObject({ client: redisClient, channel: z.string().min(1).optional() }),
    ])
    .optional(),
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
  users: z
    .strictObject({
      managePermission: z.string().min(1).optional(),
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
  audit: z
    .strictObject({
      events: z
        .custom<unknown>((v) => isObject(v) && typeof v.isAction === 'function', {
          message: 'expected defineAuditEvents(...)',
        })
        .optional(),
      redact: z.array(z.string()).optional(),
      allow: z.array(z.string()).optional(),
      retentionDays: z.number().int().min(1).max(36_500).default(AUDIT_DEFAULTS.retentionDays),
      checkpointKey: z.string().min(32, 'use at least 32 characters of secret').optional(),
      readPermission: z.string().min(1).optional(),
      logDeniedRequests: z.boolean().default(true),
      forwardToWorkOS: z
        .union([
          z.literal(false),
          z.literal(true).transform(() => auditForwardSchema.parse({})),
          auditForwardSchema,
        ])
        .default(false),
    })
    .prefault({}),
  access: accessOptionsSchema.prefault({}),
  telemetry: telemetryOptionsSchema,
  webhooks: z
    .strictObject({
      secret: z.string().min(1),
      toleranceMs: z.number().int().positive().default(180_000),
    })
    .optional(),
});

/** `createOrgkit`'s options after defaults are applied. @internal */
export type ParsedOrgkitConfig = z.output<typeof orgkitConfigSchema>;
