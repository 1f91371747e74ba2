import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OrgkitError } from '../../errors/index.js';
import { hashInputFile } from '../input/input-hash.js';
import type { OrganizationMappingRow, RoleMappingRow } from '../input/mapping-files.js';
import { planMappings } from '../run/mapping-plan.js';
import { environmentOf } from '../run/run-manifest.js';
import { runClerkMigration } from '../run/run-migration.js';
import type {
  MigrationRecordOutcome,
  MigrationSummary,
  RunClerkMigrationOptions,
} from '../run/types.js';
import { checkPlan, readPlanFile, writePlanFile } from './plan-file.js';

const WHAT = 'migrateFromClerk';

/** The flags that choose which records run and which writes they may make. @internal */
export interface RecordSelection {
  readonly plan?: string;
  readonly planIncludePii?: boolean;
  readonly fromPlan?: string;
  readonly retryFailed?: boolean;
  readonly dryRun?: boolean;
  readonly outDir: string;
}

/** The Clerk ids the last run's errors file lists as failed, in WorkOS or in the database. */
async function failedRecords(outDir: string): Promise<Set<string>> {
  const path = join(outDir, 'migration-errors.json');
  let errors: {
    records?: { status?: string; clerkUserId?: string }[];
    database?: { clerkUserId?: string }[];
  };
  try {
    errors = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new OrgkitError(
      'not_found',
      `${WHAT}: retryFailed: ${path} cannot be read; it is written at the end of a run`,
      { reason: 'no_run' },
    );
  }
  const ids = new Set<string>();
  for (const r of errors.records ?? []) {
    if (r.status === 'failed' && r.clerkUserId) ids.add(r.clerkUserId);
  }
  for (const r of errors.database ?? []) if (r.clerkUserId) ids.add(r.clerkUserId);
  return ids;
}

/** What the plan is checked against: the input, mappings and environment of this call. */
async function bindingOf(options: RunClerkMigrationOptions) {
  return {
    inputHash: await hashInputFile(options.input),
    mappingHash: planMappings(
      options.organizationMapping as OrganizationMappingRow[] | undefined,
      options.roleMapping as RoleMappingRow[] | undefined,
    ).hash,
    environment: environmentOf(options.workos, WHAT),
    workosMetadata: [...(options.workosMetadata ?? [])],
  };
}

/** The run's options under a plan read from `path`, refused when made for another run. */
async function underPlan(
  options: RunClerkMigrationOptions,
  path: string,
): Promise<RunClerkMigrationOptions> {
  const { header, planned } = await readPlanFile(path);
  checkPlan(header, await bindingOf(options), path);
  return {
    ...options,
    organizations: header.organizations,
    createRoles: header.createRoles,
    skipMfa: header.skipMfa,
    onlyRecords: new Set(planned.records.keys()),
    plannedWrites: planned,
  };
}

/**
 * Applies `plan`, `fromPlan` and `retryFailed` to the run's options. With `plan` a dry run makes
 * the plan file first; with `dryRun` too, that dry run is the answer (`plannedDryRun`).
 * @internal
 */
export async function selectRecords(
  o: RecordSelection,
  options: RunClerkMigrationOptions,
  onRecord: ((r: MigrationRecordOutcome) => void) | undefined,
): Promise<{ options: RunClerkMigrationOptions; plannedDryRun?: MigrationSummary }> {
  const chosen = [o.plan, o.fromPlan, o.retryFailed || undefined].filter((v) => v !== undefined);
  if (chosen.length > 1) {
    throw new OrgkitError(
      'invalid_input',
      `${WHAT}: plan, fromPlan and retryFailed do not go together; use one`,
      { details: { key: 'plan' } },
    );
  }
  if (o.planIncludePii && !o.plan) {
    throw new OrgkitError('invalid_input', `${WHAT}: planIncludePii goes with plan`, {
      details: { key: 'planIncludePii' },
    });
  }
  if (o.fromPlan) {
    if (o.dryRun) {
      throw new OrgkitError('invalid_input', `${WHAT}: fromPlan runs a plan; leave out dryRun`, {
        details: { key: 'fromPlan' },
      });
    }
    return { options: await underPlan(options, o.fromPlan) };
  }
  if (o.retryFailed) {
    return { options: { ...options, onlyRecords: await failedRecords(o.outDir) } };
  }
  if (!o.plan) return { options };

  const outcomes: MigrationRecordOutcome[] = [];
  const dry = await runClerkMigration({
    ...options,
    dryRun: true,
    onRecord: (r) => {
      outcomes.push(r);
      if (o.dryRun) onRecord?.(r);
    },
  });
  const binding = await bindingOf(options);
  await writePlanFile(
    o.plan,
    {
      ...binding,
      organizations: dry.organizations,
      createRoles: options.createRoles ?? false,
      skipMfa: options.skipMfa ?? false,
    },
    outcomes,
    dry,
    o.planIncludePii
      ? { input: options.input, ...(options.format ? { format: options.format } : {}) }
      : undefined,
  );
  if (o.dryRun || dry.interrupted) return { options, plannedDryRun: dry };
  return { options: await underPlan(options, o.plan) };
}
