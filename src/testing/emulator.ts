import type { WorkOS } from '@workos-inc/node';
import type { EmulatorSeedConfig } from 'workos/emulate';
import * as z from 'zod';
import { importPeer } from '../config/import-peer.js';
import { parseInput } from '../errors/index.js';
import {
  buildWorkOSTestClient,
  loadWorkOSModule,
  type WorkOSTestClientOptions,
} from './workos-client.js';

/** Options of {@link startWorkOSEmulator}. */
export interface WorkOSEmulatorOptions {
  /** Users, organizations, roles, permissions, … the emulator starts with (and returns to on `reset()`). */
  seed?: EmulatorSeedConfig;
  /** The client id test clients use; the emulator accepts any. @default 'client_orgkit_test' */
  clientId?: string;
}

/** A running WorkOS emulator on an ephemeral port. */
export interface WorkOSEmulator {
  /** e.g. `http://localhost:51234` */
  readonly url: string;
  readonly apiKey: string;
  readonly clientId: string;
  readonly hostname: string;
  readonly port: number;
  /** A real `@workos-inc/node` client for this emulator; options as in `createWorkOSTestClient`. */
  createClient(options?: Omit<WorkOSTestClientOptions, 'emulator' | 'url'>): WorkOS;
  /** Forgets everything created since start and re-applies the seed. */
  reset(): void;
  close(): Promise<void>;
}

const optionsSchema = z
  .strictObject({
    seed: z.record(z.string(), z.unknown()).optional(),
    clientId: z.string().min(1).optional(),
  })
  .optional();

/**
 * Starts the official WorkOS emulator (`workos/emulate`, from the `workos` package) on a free
 * port. It serves the User Management, Organizations, Events and JWKS APIs the SDK calls; it has
 * no latency or faults of its own, so inject those with `createFaultyFetch`.
 *
 * @example
 * ```ts
 * const emulator = await startWorkOSEmulator()
 * const workos = emulator.createClient()
 * beforeEach(() => emulator.reset())
 * afterAll(() => emulator.close())
 * ```
 */
export async function startWorkOSEmulator(
  options?: WorkOSEmulatorOptions,
): Promise<WorkOSEmulator> {
  const o = parseInput(optionsSchema, options, 'startWorkOSEmulator') ?? {};
  const { createEmulator } = await importPeer<typeof import('workos/emulate')>(
    'workos/emulate',
    'startWorkOSEmulator (the "workos" package holds the WorkOS emulator)',
  );
  const sdk = await loadWorkOSModule();
  const emulator = await createEmulator({ port: 0, seed: o.seed as EmulatorSeedConfig });
  const url = new URL(emulator.url);
  const clientId = o.clientId ?? 'client_orgkit_test';
  let closed: Promise<void> | undefined;
  const self: WorkOSEmulator = {
    url: emulator.url,
    apiKey: emulator.apiKey,
    clientId,
    hostname: url.hostname,
    port: emulator.port,
    createClient: (clientOptions = {}) =>
      buildWorkOSTestClient(sdk, { ...clientOptions, emulator: self }),
    reset: () => emulator.reset(),
    close() {
      closed ??= emulator.close();
      return closed;
    },
  };
  return self;
}
