import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { OrgkitError } from '../../errors/index.js';
import { type RunPaths, writeFileAtomically } from './run-files.js';

/** The WorkOS environment a run writes to: the API host and the client id. */
export interface MigrationEnvironment {
  readonly apiHost: string;
  readonly clientId: string;
}

/** What a run directory is bound to. @internal */
export interface RunManifest {
  readonly version: 1;
  readonly inputHash: string;
  /** SHA-256 of the organization and role mapping rows, or null without mappings. */
  readonly mappingHash: string | null;
  readonly environment: MigrationEnvironment;
  /** The organizations mode; absent in manifests written before there was a choice (`personal`). */
  readonly organizations?: 'personal' | 'mapped' | 'none';
  readonly createdAt: string;
}

const manifestSchema = z.strictObject({
  version: z.literal(1),
  inputHash: z.string(),
  mappingHash: z.string().nullable(),
  environment: z.strictObject({ apiHost: z.string(), clientId: z.string() }),
  organizations: z.enum(['personal', 'mapped', 'none']).optional(),
  createdAt: z.string(),
});

/**
 * The environment of a `@workos-inc/node` client, from its `baseURL` and `clientId`. A client
 * built without a client id cannot be told apart from another environment's, so it is refused.
 * @internal
 */
export function environmentOf(workos: unknown, what: string): MigrationEnvironment {
  const client = workos as { baseURL?: unknown; clientId?: unknown };
  const clientId = typeof client.clientId === 'string' ? client.clientId : '';
  let apiHost = '';
  try {
    apiHost = new URL(String(client.baseURL)).host;
  } catch {
    // reported below
  }
  if (!apiHost || !clientId) {
    throw new OrgkitError(
      'invalid_config',
      `${what}: workos: pass a @workos-inc/node client built with a clientId (the run is bound to its API host and client id)`,
      { details: { key: 'workos' } },
    );
  }
  return { apiHost, clientId };
}

/** The manifest in the run directory, or undefined when the directory holds no run yet. @internal */
export async function readManifest(paths: RunPaths): Promise<RunManifest | undefined> {
  let text: string;
  try {
    text = await readFile(paths.manifest, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new OrgkitError('invalid_input', `migration: ${paths.manifest} is not a run manifest`, {
      reason: 'invalid_manifest',
    });
  }
  return parsed.data;
}

/** The run's manifest, or `not_found` (`no_run`) when the directory holds no run. @internal */
export async function requireManifest(
  paths: RunPaths,
  outDir: string,
  what: string,
): Promise<RunManifest> {
  const manifest = await readManifest(paths);
  if (!manifest) {
    throw new OrgkitError('not_found', `${what}: ${outDir} holds no migration run`, {
      reason: 'no_run',
    });
  }
  return manifest;
}

/** @internal */
export async function writeManifest(paths: RunPaths, manifest: RunManifest): Promise<void> {
  await writeFileAtomically(paths.dir, paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Refuses to continue a run against another input, other mappings or another WorkOS
 * environment (`conflict`, reason `run_mismatch`, naming what differs). @internal
 */
export function checkManifest(
  manifest: RunManifest,
  expected: {
    inputHash?: string;
    mappingHash?: string | null;
    environment: MigrationEnvironment;
    organizations?: 'personal' | 'mapped' | 'none';
  },
  what: string,
): void {
  const differs: string[] = [];
  if (
    expected.organizations !== undefined &&
    (manifest.organizations ?? 'personal') !== expected.organizations
  ) {
    differs.push(`the organizations mode (the run used ${manifest.organizations ?? 'personal'})`);
  }
  if (expected.inputHash !== undefined && manifest.inputHash !== expected.inputHash) {
    differs.push('the input file (its SHA-256 differs)');
  }
  if (expected.mappingHash !== undefined && manifest.mappingHash !== expected.mappingHash) {
    differs.push('the organization or role mapping');
  }
  const env = manifest.environment;
  if (
    env.apiHost !== expected.environment.apiHost ||
    env.clientId !== expected.environment.clientId
  ) {
    differs.push(
      `the WorkOS environment (the run used ${env.apiHost} with client ${env.clientId})`,
    );
  }
  if (differs.length > 0) {
    throw new OrgkitError(
      'conflict',
      `${what}: this run directory belongs to another run: ${differs.join('; ')}. Use a new --out directory`,
      { reason: 'run_mismatch', details: { differs: differs.length } },
    );
  }
}
