import { OrgkitError, parseInput } from '../../errors/index.js';
import { defaultOrganizationName } from '../../guests/workos-steps.js';
import { hashInputFile } from '../input/input-hash.js';
import type { OrganizationMappingRow, RoleMappingRow } from '../input/mapping-files.js';
import { readClerkExport } from '../input/read-export.js';
import type { ClerkExportEntry } from '../input/types.js';
import { forEachConcurrently } from './concurrent.js';
import { dryRunRecord } from './dry-run.js';
import { createLogState, type LogState } from './log-state.js';
import type { MigrationLimiter, StepContext, StepResult } from './logged-step.js';
import { type MappingPlan, planMappings } from './mapping-plan.js';
import { mappingUnder, migrateRecord, type RecordDeps } from './migrate-record.js';
import { callContextOf, passThrough, runOptionsSchema } from './options.js';
import type { PlannedWrites } from './plan-writes.js';
import { ensureRoles, missingRoles, rolesOfUser, rolesToAssign } from './roles.js';
import { ensureRunDir, type RunPaths, runPaths } from './run-files.js';
import { acquireRunLock } from './run-lock.js';
import { openRunLog, readRunLog } from './run-log.js';
import {
  checkManifest,
  environmentOf,
  type MigrationEnvironment,
  readManifest,
  writeManifest,
} from './run-manifest.js';
import { createSummary, rejected } from './summary.js';
import type { MigrationSummary, RunClerkMigrationOptions } from './types.js';
import { writeUserMap } from './user-map.js';
import type { MigrationWorkOS } from './workos-api.js';

const WHAT = 'runClerkMigration';

type Parsed = ReturnType<typeof runOptionsSchema.parse>;

/** Counts the WorkOS writes sent through the limiter. */
function countingLimiter(limiter: Parsed['limiter']) {
  const inner = limiter ?? passThrough;
  const counter = {
    writes: 0,
    run<T>(fn: () => Promise<T>): Promise<T> {
      counter.writes++;
      return inner.run(fn);
    },
  };
  return counter;
}

/** Binds the directory to this input, mapping and environment, or checks that it is. */
async function bindRunDir(
  paths: RunPaths,
  binding: {
    inputHash: string;
    mappingHash: string | null;
    environment: MigrationEnvironment;
    organizations: Parsed['organizations'];
  },
) {
  const manifest = await readManifest(paths);
  if (manifest) {
    checkManifest(manifest, binding, WHAT);
    return;
  }
  await writeManifest(paths, { version: 1, ...binding, createdAt: new Date().toISOString() });
}

/** The first organization a user's map entry names: a mapped one, the personal one (undefined), or none (null). */
function firstOrganizationOf(o: Parsed, mappings: MappingPlan, clerkUserId: string) {
  const mapped = mappingUnder({ mappings, organizations: o.organizations }, clerkUserId);
  if (mapped.organizations[0]) return mapped.organizations[0].externalId;
  return o.organizations === 'personal' ? undefined : null;
}

const inputOf = (o: Parsed) => ({ path: o.input, ...(o.format ? { format: o.format } : {}) });

/**
 * Roles first, before the run directory is touched: a missing role stops the run before any
 * write, or is created (`createRoles`; under a plan only the roles it names).
 */
async function prepareRoles(o: Parsed, mappings: MappingPlan, limiter: MigrationLimiter) {
  const workos = o.workos as MigrationWorkOS;
  const call = callContextOf(o.retry, o.limiter);
  const only = o.onlyRecords as ReadonlySet<string> | undefined;
  const needed = await rolesToAssign({ ...o, mappings }, inputOf(o), only);
  const missing = await missingRoles(call, workos, needed);
  if (missing === undefined && o.createRoles) {
    throw new OrgkitError(
      'invalid_config',
      `migration: this @workos-inc/node version cannot list or create roles; make sure ${[...needed].sort().join(', ')} exist in the WorkOS dashboard (Roles) and run without --create-roles`,
      { reason: 'missing_roles', details: { roles: [...needed].sort() } },
    );
  }
  const planned = o.plannedWrites as PlannedWrites | undefined;
  const unplanned = planned && (missing ?? []).filter((slug) => !planned.roles.has(slug));
  if (unplanned?.length) {
    throw new OrgkitError(
      'conflict',
      `migration: the plan does not create the role ${unplanned.join(', ')}, which WorkOS no longer has. Make a new plan`,
      { reason: 'plan_mismatch', details: { roles: unplanned } },
    );
  }
  return ensureRoles(call, workos, limiter, missing ?? [], o.createRoles);
}

async function migrate(
  o: Parsed,
  mappings: MappingPlan,
  paths: RunPaths,
  state: LogState,
  limiter: ReturnType<typeof countingLimiter>,
  createdRoles: string[],
) {
  const workos = o.workos as MigrationWorkOS;
  const call = callContextOf(o.retry, o.limiter);
  const only = o.onlyRecords as ReadonlySet<string> | undefined;
  const summary = createSummary(o.onRecord as RunClerkMigrationOptions['onRecord']);
  const users: {
    recordNumber: number;
    clerkUserId: string;
    email: string;
    firstOrg: string | undefined | null;
  }[] = [];
  const log = await openRunLog(paths.log);
  let completed = false;
  try {
    const ctx: StepContext = {
      call,
      log,
      state,
      limiter,
      ...(o.plannedWrites ? { planned: o.plannedWrites as PlannedWrites } : {}),
    };
    const deps: RecordDeps = {
      ctx,
      workos,
      mappings,
      organizations: o.organizations,
      workosMetadata: o.workosMetadata,
      ownerRole: o.ownerRole,
      memberRole: o.memberRole,
      skipMfa: o.skipMfa,
      totpIssuer: o.totpIssuer,
      organizationName: (o.organizationName ??
        defaultOrganizationName) as RecordDeps['organizationName'],
      mappedInFlight: new Map<string, Promise<StepResult>>(),
    };
    completed = await forEachConcurrently(
      readClerkExport(inputOf(o)),
      o.concurrency,
      async (entry: ClerkExportEntry) => {
        // A selection (a plan, the failed records) names accepted records; rejections were
        // reported by the run or the plan that made it.
        if (!entry.ok) return only ? undefined : summary.add(rejected(entry.rejection));
        const selected = !only || only.has(entry.record.clerkUserId);
        const { record } = entry;
        users.push({
          recordNumber: record.recordNumber,
          clerkUserId: record.clerkUserId,
          email: record.primaryEmail,
          firstOrg: firstOrganizationOf(o, mappings, record.clerkUserId),
        });
        if (selected) summary.add(await migrateRecord(deps, record));
      },
      o.signal,
    );
  } finally {
    await log.close();
  }
  // Only a pass over the whole input knows every email; a stopped run leaves the last map as is.
  if (completed) {
    users.sort((a, b) => a.recordNumber - b.recordNumber);
    await writeUserMap(paths, state, users);
  }
  return summary.finish({
    dryRun: false,
    interrupted: !completed,
    writes: limiter.writes,
    organizations: o.organizations,
    createdRoles,
    ...(completed ? { userMapPath: paths.userMap } : {}),
  });
}

async function dryRun(o: Parsed, mappings: MappingPlan, paths: RunPaths, inputHash: string) {
  const manifest = await readManifest(paths);
  const environment = environmentOf(o.workos, WHAT);
  if (manifest) {
    checkManifest(
      manifest,
      { inputHash, mappingHash: mappings.hash, environment, organizations: o.organizations },
      WHAT,
    );
  }
  const state = createLogState(manifest ? await readRunLog(paths.log, false) : []);
  const summary = createSummary(o.onRecord as RunClerkMigrationOptions['onRecord']);
  const plannedOrganizations = new Set<string>();
  const roles = new Set<string>();
  const call = callContextOf(o.retry, o.limiter);
  const only = o.onlyRecords as ReadonlySet<string> | undefined;
  let writes = 0;
  const completed = await forEachConcurrently(
    readClerkExport(inputOf(o)),
    o.concurrency,
    async (entry: ClerkExportEntry) => {
      if (only && (!entry.ok || !only.has(entry.record.clerkUserId))) return;
      if (!entry.ok) return summary.add(rejected(entry.rejection));
      const planned = await dryRunRecord(
        {
          call,
          workos: o.workos as MigrationWorkOS,
          state,
          mappings,
          organizations: o.organizations,
          workosMetadata: o.workosMetadata,
          skipMfa: o.skipMfa,
          plannedOrganizations,
        },
        entry.record,
      );
      writes += planned.writes;
      for (const slug of rolesOfUser({ ...o, mappings }, entry.record.clerkUserId)) {
        roles.add(slug);
      }
      summary.add(planned.outcome);
    },
    o.signal,
  );
  const missing = await missingRoles(call, o.workos as MigrationWorkOS, roles).catch(
    () => undefined,
  );
  const createdRoles = o.createRoles ? (missing ?? []) : [];
  return summary.finish({
    dryRun: true,
    interrupted: !completed,
    writes: writes + createdRoles.length,
    organizations: o.organizations,
    createdRoles,
    ...(missing ? { missingRoles: missing } : {}),
  });
}

/**
 * Migrates a Clerk export into WorkOS (seed phase 4.1), crash-safe and resumable. Per record:
 * the user (matched by external id = Clerk id or by email, else created with its names,
 * `externalId`, `emailVerified` only where Clerk verified the address, and the bcrypt password
 * digest when `classifyPasswordDigest` says it is importable), a personal organization with
 * the guest flow's external id and an owner membership (or the mapped organizations and
 * roles), and the TOTP factor with Clerk's secret unless `skipMfa`.
 *
 * `outDir` holds a lock (a second run on it is refused with `conflict`, `run_locked`), a
 * manifest binding it to the input's SHA-256, the mappings and the WorkOS environment (another
 * one is refused with `conflict`, `run_mismatch`), an append-only log flushed before every
 * create and after it (ids only), and `migration-user-map.json` written from the log at the end.
 * Run again after a crash: logged records are skipped, and a create that was in flight is looked
 * up before it is retried, so nothing is created twice. All run files are mode 0600.
 *
 * `dryRun` only reads WorkOS and writes nothing anywhere. Bad options throw `invalid_input`; an
 * unreadable input throws `invalid_input`; a refused API key throws `invalid_config`. A record
 * WorkOS refuses is reported as failed and the run goes on.
 *
 * @example
 * ```ts
 * import { WorkOS } from '@workos-inc/node';
 * import { runClerkMigration } from 'orgkit/migrate';
 *
 * const workos = new WorkOS(process.env.WORKOS_API_KEY, {
 *   clientId: process.env.WORKOS_CLIENT_ID,
 *   maxRetries: 0,
 * });
 * const summary = await runClerkMigration({
 *   input: 'clerk-users.csv',
 *   outDir: 'migration-run',
 *   workos,
 *   onRecord: (o) => console.log(o.recordNumber, o.status),
 * });
 * console.log(summary.counts); // { created: 1987, matched: 3, skipped: 10, failed: 0 }
 * ```
 */
export async function runClerkMigration(
  options: RunClerkMigrationOptions,
): Promise<MigrationSummary> {
  const o = parseInput(runOptionsSchema, options, WHAT);
  if (o.organizations === 'none' && (o.organizationMapping?.length ?? 0) > 0) {
    throw new OrgkitError(
      'invalid_input',
      `${WHAT}: organizations 'none' makes no organizations, but an organizations mapping was given; use 'mapped' or leave the mapping out`,
      { details: { key: 'organizations' } },
    );
  }
  const environment = environmentOf(o.workos, WHAT);
  const mappings = planMappings(
    o.organizationMapping as OrganizationMappingRow[] | undefined,
    o.roleMapping as RoleMappingRow[] | undefined,
  );
  const inputHash = await hashInputFile(o.input);
  const paths = runPaths(o.outDir);
  if (o.dryRun) return dryRun(o, mappings, paths, inputHash);
  const binding = {
    inputHash,
    mappingHash: mappings.hash,
    environment,
    organizations: o.organizations,
  };
  // A directory of another run is refused before any role is created.
  const manifest = await readManifest(paths);
  if (manifest) checkManifest(manifest, binding, WHAT);
  const limiter = countingLimiter(o.limiter);
  const createdRoles = await prepareRoles(o, mappings, limiter);
  await ensureRunDir(o.outDir);
  const lock = await acquireRunLock(paths.lock);
  try {
    await bindRunDir(paths, binding);
    const state = createLogState(await readRunLog(paths.log, true));
    return await migrate(o, mappings, paths, state, limiter, createdRoles);
  } finally {
    await lock.release();
  }
}
