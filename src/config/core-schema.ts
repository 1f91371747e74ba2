import * as z from 'zod';

/** @internal */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null;

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

/** @internal */
export const redisClient = z.custom<unknown>(
  (v) => isObject(v) && typeof v.publish === 'function' && typeof v.duplicate === 'function',
  { message: 'expected an ioredis client' },
);

/** `audit` as the core reads it: writing events. @internal */
export const coreAuditSchema = z.strictObject({
  events: z
    .custom<unknown>((v) => isObject(v) && typeof v.isAction === 'function', {
      message: 'expected defineAuditEvents(...)',
    })
    .optional(),
  redact: z.array(z.string()).optional(),
  allow: z.array(z.string()).optional(),
  logDeniedRequests: z.boolean().default(true),
});

/**
 * The zod schema of the core's options (`createOrgkitCore`): sessions, roles, the request scope
 * and audit writes. `createOrgkit`'s schema extends it with every capability's. @internal
 */
export const coreConfigSchema = z.strictObject({
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
  users: z
    .strictObject({
      managePermission: z.string().min(1).optional(),
    })
    .optional(),
  audit: coreAuditSchema.prefault({}),
});

/** `createOrgkitCore`'s options after defaults are applied. @internal */
export type ParsedCoreConfig = z.output<typeof coreConfigSchema>;
