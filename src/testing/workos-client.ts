import type { WorkOS } from '@workos-inc/node';
import * as z from 'zod';
import { importPeer } from '../config/import-peer.js';
import { parseInput } from '../errors/index.js';

/** Where a test client sends its requests: a running emulator, or its URL and API key. */
export interface WorkOSTestTarget {
  url: string;
  apiKey: string;
  clientId?: string;
}

/** Options of {@link createWorkOSTestClient}. */
export interface WorkOSTestClientOptions {
  /** A running emulator (from `startWorkOSEmulator`); or give `url` and `apiKey`. */
  emulator?: WorkOSTestTarget;
  /** The emulator's URL, e.g. `http://localhost:4100`. */
  url?: string;
  /** @default the emulator's API key */
  apiKey?: string;
  /** @default the emulator's client id, else 'client_orgkit_test' */
  clientId?: string;
  /** A fetch for every SDK request, e.g. `createFaultyFetch(...)`. @default globalThis.fetch */
  fetchFn?: typeof fetch;
  /**
   * Retries the SDK makes on 408/429/5xx and network errors. SDK 10.8+ retries 3 times by
   * default; older SDKs ignore the option (they do not retry these requests).
   * @default the SDK's default
   */
  maxRetries?: number;
  /** Per-request timeout in ms. @default the SDK's default (60 s) */
  timeout?: number;
}

const fnSchema = z.custom<typeof fetch>((v) => typeof v === 'function', 'expected a function');
const targetSchema = z.object({
  url: z.url(),
  apiKey: z.string().min(1),
  clientId: z.string().min(1).optional(),
});
const optionsSchema = z
  .strictObject({
    emulator: targetSchema.optional(),
    url: z.url().optional(),
    apiKey: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    fetchFn: fnSchema.optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
    timeout: z.number().int().positive().optional(),
  })
  .refine((o) => o.emulator || o.url, { message: 'give emulator or url', path: ['url'] })
  .refine((o) => o.emulator || o.apiKey, { message: 'give emulator or apiKey', path: ['apiKey'] });

type WorkOSModule = typeof import('@workos-inc/node');

/** Loads `@workos-inc/node`, an optional peer. @internal */
export function loadWorkOSModule(): Promise<WorkOSModule> {
  return importPeer<WorkOSModule>('@workos-inc/node', 'the WorkOS test client');
}

/** Builds the client once the SDK is loaded; what `emulator.createClient()` calls. @internal */
export function buildWorkOSTestClient(sdk: WorkOSModule, options: WorkOSTestClientOptions): WorkOS {
  const o = parseInput(optionsSchema, options, 'createWorkOSTestClient');
  const url = new URL((o.url ?? o.emulator?.url)!);
  return new sdk.WorkOS(o.apiKey ?? o.emulator!.apiKey, {
    apiHostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    https: url.protocol === 'https:',
    clientId: o.clientId ?? o.emulator?.clientId ?? 'client_orgkit_test',
    ...(o.fetchFn ? { fetchFn: o.fetchFn } : {}),
    ...(o.maxRetries === undefined ? {} : { maxRetries: o.maxRetries }),
    ...(o.timeout === undefined ? {} : { timeout: o.timeout }),
  });
}

/**
 * A real `@workos-inc/node` client (majors 9–11) pointed at the WorkOS emulator over plain HTTP.
 * Async because the SDK is an optional peer, loaded on first use.
 *
 * @example
 * ```ts
 * const emulator = await startWorkOSEmulator()
 * const fetchFn = createFaultyFetch({ faults: { fault: 'rate_limit', calls: [1] } })
 * const workos = await createWorkOSTestClient({ emulator, fetchFn, maxRetries: 0 })
 * await workos.userManagement.createUser({ email: 'ada@example.com' }) // RateLimitExceededException
 * ```
 */
export async function createWorkOSTestClient(options: WorkOSTestClientOptions): Promise<WorkOS> {
  parseInput(optionsSchema, options, 'createWorkOSTestClient');
  return buildWorkOSTestClient(await loadWorkOSModule(), options);
}
