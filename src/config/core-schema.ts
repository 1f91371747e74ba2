import * as z from 'zod/mini';
import { telemetryOptionsSchema } from '../telemetry/options.js';

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

const nonEmpty = z.string().check(z.minLength(1));
const int = (...checks: z.core.$ZodCheck<number>[]) => z.number().check(z.int(), ...checks);

/** `audit` as the core reads it: writing events. @internal */
export const coreAuditSchema = z.strictObject({
  events: z.optional(
    z.custom<unknown>((v) => isObject(v) && typeof v.isAction === 'function', {
      message: 'expected defineAuditEvents(...)',
    }),
  ),
  redact: z.optional(z.array(z.string())),
  allow: z.optional(z.array(z.string())),
  logDeniedRequests: z._default(z.boolean(), true),
});

/**
 * The zod schema of the core's options (`createOrgkitCore`): sessions, roles, the request scope
 * and audit writes. `createOrgkit`'s schema extends it with every capability's. zod/mini, as it
 * is parsed in every Worker's start-up. @internal
 */
export const coreConfigSchema = z.strictObject({
  database: z.optional(drizzleDatabase),
  preparedStatements: z._default(z.boolean(), true),
  workos: z.optional(workosClient),
  clientId: z.optional(nonEmpty),
  accessControl: z.optional(
    z.custom<unknown>(isObject, { message: 'expected defineAccessControl(...)' }),
  ),
  tables: z.optional(z.custom<unknown>(isObject, { message: 'expected createOrgkitTables(...)' })),
  session: z.prefault(
    z.strictObject({
      jwksUrl: z.optional(z.url()),
      issuers: z.optional(z.array(nonEmpty).check(z.minLength(1))),
      audience: z.optional(z.union([nonEmpty, z.array(nonEmpty).check(z.minLength(1))])),
      clockToleranceSeconds: z._default(int(z.gte(0), z.lte(300)), 5),
      jwksCooldownMs: z._default(int(z.gte(0)), 30_000),
      jwksCacheMaxAgeMs: z._default(int(z.gte(1_000)), 600_000),
      jwksMaxStaleMs: z._default(int(z.gte(0)), 3_600_000),
      jwksFailureCooldownMs: z._default(int(z.gte(0)), 5_000),
      verifiedTokenCache: z._default(
        z.union([z.literal(false), z.strictObject({ max: z._default(int(z.positive()), 10_000) })]),
        false,
      ),
    }),
    {},
  ),
  cache: z.prefault(
    z.strictObject({
      ttlMs: z._default(int(z.positive()), 30_000),
      max: z._default(int(z.positive()), 10_000),
    }),
    {},
  ),
  redis: z.optional(
    z.union([
      z.strictObject({ url: nonEmpty, channel: z.optional(nonEmpty) }),
      z.strictObject({ client: redisClient, channel: z.optional(nonEmpty) }),
    ]),
  ),
  users: z.optional(z.strictObject({ managePermission: z.optional(nonEmpty) })),
  audit: z.prefault(coreAuditSchema, {}),
  telemetry: telemetryOptionsSchema,
});

/** `createOrgkitCore`'s options after defaults are applied. @internal */
export type ParsedCoreConfig = z.output<typeof coreConfigSchema>;
