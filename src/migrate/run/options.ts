import * as z from 'zod';
import { createTelemetry } from '../../telemetry/index.js';
import type { CallContext } from '../../workos-calls/call.js';
import { RateLimitGate, type RetryPolicy } from '../../workos-calls/retry.js';
import { WORKOS_METADATA_FIELDS, WORKOS_METADATA_LIMITS } from './field-accounting.js';
import type { MigrationLimiter } from './logged-step.js';

/** Which WorkOS organizations a run makes. */
export const ORGANIZATION_MODES = ['personal', 'mapped', 'none'] as const;
export type OrganizationMode = (typeof ORGANIZATION_MODES)[number];

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', `expected ${what}`);

/** @internal */
export const workosSchema = z.custom<{ userManagement: object; organizations: object }>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { userManagement?: unknown }).userManagement === 'object' &&
    typeof (v as { organizations?: unknown }).organizations === 'object',
  'expected a @workos-inc/node client (new WorkOS(...))',
);

/** @internal */
export const limiterSchema = z.custom<MigrationLimiter & { gate?: CallContext['gate'] }>(
  (v) => typeof (v as { run?: unknown } | null)?.run === 'function',
  'expected an object with run(fn)',
);

/** @internal */
export const retrySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(20).default(5),
    baseDelayMs: z.number().int().min(0).default(200),
    maxDelayMs: z.number().int().min(0).default(5_000),
    maxRetryAfterMs: z.number().int().min(0).default(60_000),
  })
  .prefault({});

/** @internal */
export const runOptionsSchema = z.strictObject({
  input: z.string().min(1, 'expected the path of the Clerk export'),
  format: z.enum(['csv', 'json']).optional(),
  outDir: z.string().min(1, 'expected the run directory'),
  workos: workosSchema,
  organizationMapping: z.array(z.custom<object>((v) => typeof v === 'object')).optional(),
  roleMapping: z.array(z.custom<object>((v) => typeof v === 'object')).optional(),
  ownerRole: z.string().regex(/^\S+$/, 'expected a role slug').default('owner'),
  memberRole: z.string().regex(/^\S+$/, 'expected a role slug').default('member'),
  organizationName: fn<(u: object) => string>('a function returning a name').optional(),
  organizations: z.enum(ORGANIZATION_MODES).default('personal'),
  workosMetadata: z
    .array(z.enum(WORKOS_METADATA_FIELDS))
    .max(WORKOS_METADATA_LIMITS.keys)
    .refine((f) => new Set(f).size === f.length, 'expected each field once')
    .default([]),
  createRoles: z.boolean().default(false),
  onlyRecords: z.instanceof(Set).optional(),
  plannedWrites: z.custom<object>((v) => typeof v === 'object' && v !== null).optional(),
  skipMfa: z.boolean().default(false),
  totpIssuer: z.string().min(1).optional(),
  dryRun: z.boolean().default(false),
  concurrency: z.number().int().min(1).max(256).default(8),
  limiter: limiterSchema.optional(),
  retry: retrySchema,
  onRecord: fn<(o: unknown) => void>('a function').optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/** @internal */
export const undoOptionsSchema = z.strictObject({
  outDir: z.string().min(1, 'expected the run directory'),
  workos: workosSchema,
  input: z.string().min(1).optional(),
  concurrency: z.number().int().min(1).max(256).default(8),
  limiter: limiterSchema.optional(),
  retry: retrySchema,
  onObject: fn<(o: unknown) => void>('a function').optional(),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The retry context of one run; the gate is the limiter's when it has one. @internal */
export function callContextOf(
  policy: RetryPolicy,
  limiter: { gate?: CallContext['gate'] } | undefined,
): CallContext {
  return {
    policy,
    gate: limiter?.gate ?? new RateLimitGate(),
    sleep,
    beforeWait: async () => undefined,
    // Through the app's (or the CLI's) registered OpenTelemetry SDK, if any. No ids: the run
    // has no telemetry option to allow them, and its spans say what happened, not to whom.
    telemetry: createTelemetry({ ids: 'drop', clientIp: false }),
  };
}

/** @internal */
export const passThrough: MigrationLimiter = { run: (f) => f() };
