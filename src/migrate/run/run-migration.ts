import { parseInput } from '../../errors/index.js';
import { defaultOrganizationName } from '../../guests/workos-steps.js';
import { callWorkOS } from '../../workos-calls/call.js';
import { hashInputFile } from '../input/input-hash.js';
import type { OrganizationMappingRow, RoleMappingRow } from '../input/mapping-files.js';
import { readClerkExport } from '../input/read-export.js';
import type { ClerkExportEntry } from '../input/types.js';
import { forEachConcurrently } from './concurrent.js';
import { dryRunRecord } from './dry-run.js';
import { createLogState, type LogState } from './log-state.js';
import type { StepContext, StepResult } from './logged-step.js';
import { type MappingPlan, planMappings } from './mapping-plan.js';
import { migrateRecord, type RecordDeps } from './migrate-record.js';
import { callContextOf, passThrough, runOptionsSchema } from './options.js';
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
import { environmentRoleSlugs, type MigrationWorkOS } from './workos-api.js';

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
  binding: { inputHash: string; mappingHash: string | null; environment: MigrationEnvironment },
) {
  const manifest = await readManifest(paths);
  if (manifest) {
    checkManifest(manifest, binding, WHAT);
    return;
  }
  await writeManifest(paths, { version: 1, ...binding, createdAt: new Date().toISOString() });
}

async function migrate(o: Parsed, mappings: MappingPlan, paths: RunPaths, state: LogState) {
  const workos = o.workos as MigrationWorkOS;
  const limiter = countingLimiter(o.limiter);
  const summary = createSummary(o.onRecord as RunClerkMigrationOptions['onRecord']);
  const users: {
    recordNumber: number;
    clerkUserId: string;
    email: string;
    firstOrg: string | undefined;
  }[] = [];
  const log = await openRunLog(paths.log);
  let completed = false;
  try {
    const ctx: StepContext = { call: callContextOf(o.retry, o.limiter), log, state, limiter };
    const deps: RecordDeps = {
      ctx,
      workos,
      mappings,
      ownerRole: o.ownerRole,
      memberRole: o.memberRole,
      skipMfa: o.skipMfa,
      totpIssuer: o.totpIssuer,
      organizationName: (o.organizationName ??
        defaultOrganizationName) as RecordDeps['organizationName'],
      mappedInFlight: new Map<string, Promise<StepResult>>(),
    };
    completed = await forEachConcurrently(
      readClerkExport({ path: o.input, ...(o.format ? { format: o.format } : {}) }),
      o.concurrency,
      async (entry: ClerkExportEntry) => {
        if (!entry.ok) return summary.add(rejected(entry.rejection));
        const { record } = entry;
        users.push({
          recordNumber: record.recordNumber,
          clerkUserId: record.clerkUserId,
          email: record.primaryEmail,
          firstOrg: mappings.forUser(record.clerkUserId).organizations[0]?.externalId,
        });
        summary.add(await migrateRecord(deps, record));
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
    ...(completed ? { userMapPath: paths.userMap } : {}),
  });
}

async function dryRun(o: Parsed, mappings: MappingPlan, paths: RunPaths, inputHash: string) {
  const manifest = await readManifest(paths);
  const environment = environmentOf(o.workos, WHAT);
  if (manifest)
    checkManifest(manifest, { inputHash, mappingHash: mappings.hash, environment }, WHAT);
  const state = createLogState(manifest ? await readRunLog(paths.log, false) : []);
  const summary = createSummary(o.onRecord as RunClerkMigrationOptions['onRecord']);
  const plannedOrganizations = new Set<string>();
  const roles = new Set<string>();
  const call = callContextOf(o.retry, o.limiter);
  let writes = 0;
  const completed = await forEachConcurrently(
    readClerkExport({ path: o.input, ...(o.format ? { format: o.format } : {}) }),
    o.concurrency,
    async (entry: ClerkExportEntry) => {
      if (!entry.ok) return summary.add(rejected(entry.rejection));
      const planned = await dryRunRecord(
        {
          call,
          workos: o.workos as MigrationWorkOS,
          state,
          mappings,
          skipMfa: o.skipMfa,
          plannedOrganizations,
        },
        entry.record,
      );
      writes += planned.writes;
      const mapping = mappings.forUser(entry.record.clerkUserId);
      if (mapping.organizations.length === 0) roles.add(o.ownerRole);
      else if (mapping.roleSlugs.length === 0) roles.add(o.memberRole);
      for (const slug of mapping.roleSlugs) roles.add(slug);
      summary.add(planned.outcome);
    },
    o.signal,
  );
  const known = await callWorkOS(call, `${WHAT}: roles`, () =>
    environmentRoleSlugs(o.workos as MigrationWorkOS),
  ).catch(() => undefined);
  return summary.finish({
    dryRun: true,
    interrupted: !completed,
    writes,
    ...(known ? { missingRoles: [...roles].filter((r) => !known.has(r)).sort() } : {}),
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
  const environment = environmentOf(o.workos, WHAT);
  const mappings = planMappings(
    o.organizationMapping as OrganizationMappingRow[] | undefined,
    o.roleMapping as RoleMappingRow[] | undefined,
  );
  const inputHash = await hashInputFile(o.input);
  const paths = runPaths(o.outDir);
  if (o.dryRun) return dryRun(o, mappings, paths, inputHash);
  await ensureRunDir(o.outDir);
  const lock = await acquireRunLock(paths.lock);
  try {
    await bindRunDir(paths, { inputHash, mappingHash: mappings.hash, environment });
    const state = createLogState(await readRunLog(paths.log, true));
    return await migrate(o, mappings, paths, state);
  } finally {
    await lock.release();
  }
}
