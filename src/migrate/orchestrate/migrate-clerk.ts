import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import type { OrgkitDatabase } from '../../db/database.js';
import { createOrgkitTables, type OrgkitTables } from '../../db/tables.js';
import { isOrgkitError, OrgkitError, parseInput } from '../../errors/index.js';
import { resolveAppTables } from '../data/app-data-config.js';
import { createClerkMetadataImporter } from '../data/apply-metadata.js';
import type {
  ClerkMetadataImporter,
  ClerkMetadataImporterOptions,
} from '../data/metadata-types.js';
import { type RewriteClerkAppDataResult, rewriteClerkAppData } from '../data/rewrite-app-data.js';
import { readClerkExport } from '../input/read-export.js';
import type { ClerkUserRecord } from '../input/types.js';
import { limiterSchema, retrySchema, workosSchema } from '../run/options.js';
import { runPaths, writeFileAtomically } from '../run/run-files.js';
import { acquireRunLock } from '../run/run-lock.js';
import { runClerkMigration } from '../run/run-migration.js';
import type {
  MigrationRecordOutcome,
  MigrationSummary,
  RunClerkMigrationOptions,
} from '../run/types.js';
import type { MigrationUserMapEntry } from '../run/user-map.js';
import type { ClerkMigrationConfig } from './config-file.js';
import { createDbLogState, dbLogPath, openDbLog, readDbLog } from './db-log.js';
import { readRowsBefore } from './db-rows.js';
import { selectRecords } from './select-records.js';

/** Options of {@link migrateFromClerk}. */
export interface MigrateFromClerkOptions
  extends Pick<
    RunClerkMigrationOptions,
    | 'input'
    | 'format'
    | 'outDir'
    | 'workos'
    | 'skipMfa'
    | 'dryRun'
    | 'concurrency'
    | 'limiter'
    | 'retry'
    | 'onRecord'
    | 'signal'
    | 'organizations'
    | 'createRoles'
    | 'onlyRecords'
    | 'plannedWrites'
  > {
  /**
   * Write a reviewable plan here first (JSON lines, mode 0600): per record its number, Clerk id,
   * the WorkOS writes it takes and where each field goes, or why it is skipped. With `dryRun`
   * nothing else happens; without, the run then does exactly that plan.
   */
  readonly plan?: string;
  /** Put emails, names and usernames in the plan. @default false */
  readonly planIncludePii?: boolean;
  /**
   * Run exactly this plan (made by `plan`): only its records, only its writes (any other fails
   * its record with `plan_mismatch`), with its organizations mode, roles and MFA choice. A plan
   * made for another input, mapping or WorkOS environment is refused (`conflict`, `plan_mismatch`).
   */
  readonly fromPlan?: string;
  /** Run again only the records the last run's `migration-errors.json` lists as failed. */
  readonly retryFailed?: boolean;
  /** The app's database with orgkit's tables migrated. Not needed (and not touched) in a dry run. */
  readonly database?: OrgkitDatabase;
  /** Mappings, roles, metadata role mapping, app tables: usually `readClerkMigrationConfig(file)`. */
  readonly config?: ClerkMigrationConfig;
  /** The importer's options besides the database and the role mapping (the app's roles, schema, steps, tables). */
  readonly metadata?: Omit<ClerkMetadataImporterOptions, 'database' | 'roleMapping'>;
  /** Called after each batch of users whose metadata is in the database. */
  readonly onDatabaseBatch?: (batch: { users: number }) => void;
}

/** A user whose database step failed; the WorkOS side of the record stands. */
export interface DatabaseStepFailure {
  readonly recordNumber: number;
  readonly clerkUserId: string;
  readonly code: string;
  readonly reason: string;
}

/** What {@link migrateFromClerk} returns. */
export interface MigrateFromClerkSummary {
  readonly dryRun: boolean;
  /** `signal` stopped it; run it again to go on. */
  readonly interrupted: boolean;
  /** The WorkOS side, as runClerkMigration reports it. */
  readonly workos: MigrationSummary;
  /** Records an earlier run of this directory had migrated (reported as skipped `already_migrated` in `workos`). */
  readonly alreadyMigrated: number;
  /** The database step; undefined in a dry run or when the WorkOS side was interrupted. */
  readonly database?: {
    /** Users whose metadata this call applied. */
    readonly applied: number;
    /** Users an earlier run of this directory had applied. */
    readonly alreadyApplied: number;
    /** Users the metadata importer warned about (metadata left out), by record. */
    readonly warnings: readonly { recordNumber: number; clerkUserId: string; codes: string[] }[];
    readonly failed: readonly DatabaseStepFailure[];
  };
  /** The app-data rewrite, when the config names tables and it ran. */
  readonly appData?: RewriteClerkAppDataResult;
  /** True when every valid record is in WorkOS and the database: nothing bad, nothing failed. */
  readonly ok: boolean;
}

const WHAT = 'migrateFromClerk';
/** Users per database batch: one fsync'ed intent and one done write per batch, not per user. */
const DB_BATCH = 50;

const optionsSchema = z.looseObject({
  input: z.string().min(1, 'expected the path of the Clerk export'),
  outDir: z.string().min(1, 'expected the run directory'),
  workos: workosSchema,
  database: z
    .custom<OrgkitDatabase>(
      (v) => typeof (v as { transaction?: unknown } | null)?.transaction === 'function',
      'expected a drizzle database',
    )
    .optional(),
  config: z.looseObject({}).optional(),
  metadata: z.looseObject({}).optional(),
  dryRun: z.boolean().default(false),
  limiter: limiterSchema.optional(),
  retry: retrySchema.optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

type Problem = MigrationSummary['problems'][number];
const isAlreadyMigrated = (p: Problem) => p.status === 'skipped' && p.code === 'already_migrated';

/** The run's WorkOS summary without the records an earlier run finished (they are not problems). */
function withoutAlreadyMigrated(summary: MigrationSummary): {
  workos: MigrationSummary;
  alreadyMigrated: number;
} {
  const problems = summary.problems.filter((p) => !isAlreadyMigrated(p));
  const alreadyMigrated = summary.problems.length - problems.length;
  return {
    workos: {
      ...summary,
      counts: { ...summary.counts, skipped: summary.counts.skipped - alreadyMigrated },
      problems,
    },
    alreadyMigrated,
  };
}

async function readUserMap(path: string): Promise<Map<string, MigrationUserMapEntry>> {
  const entries = JSON.parse(await readFile(path, 'utf8')) as MigrationUserMapEntry[];
  return new Map(entries.map((e) => [e.clerkUserId, e]));
}

interface DatabaseStep {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  importer: ClerkMetadataImporter;
}

/**
 * Applies the metadata of every mapped user not yet applied, in batches: the rows each user has
 * now are logged (and flushed) before the batch, the importer's outcome after. A batch cut by a
 * crash is applied again; the importer is idempotent, and the first intent's rows stay what an
 * undo restores.
 */
async function applyMetadata(
  o: MigrateFromClerkOptions,
  step: DatabaseStep,
  userMap: Map<string, MigrationUserMapEntry>,
): Promise<{ database: NonNullable<MigrateFromClerkSummary['database']>; completed: boolean }> {
  const path = dbLogPath(o.outDir);
  const state = createDbLogState(await readDbLog(path));
  const log = await openDbLog(path);
  const failed: DatabaseStepFailure[] = [];
  const warnings: { recordNumber: number; clerkUserId: string; codes: string[] }[] = [];
  let applied = 0;
  let alreadyApplied = 0;
  let batch: { record: ClerkUserRecord; entry: MigrationUserMapEntry }[] = [];

  const flush = async () => {
    const users = batch;
    batch = [];
    if (users.length === 0) return;
    const before = await readRowsBefore(
      step.db,
      step.tables,
      users.map((u) => u.entry.workosUserId),
    );
    const intents = users.map(({ entry }) => ({
      t: 'db-intent' as const,
      c: entry.clerkUserId,
      w: entry.workosUserId,
      before: before.get(entry.workosUserId)!,
    }));
    await log.append(...intents);
    for (const line of intents) state.apply(line);
    const done = [];
    for (const { record, entry } of users) {
      try {
        const outcome = await step.importer.apply({
          record,
          workosUserId: entry.workosUserId,
          organizationId: entry.organizationId,
        });
        done.push({
          t: 'db-done' as const,
          c: entry.clerkUserId,
          created: outcome.created,
          ...(outcome.previousRole === undefined ? {} : { previousRole: outcome.previousRole }),
        });
        applied++;
        if (outcome.warnings.length > 0) {
          warnings.push({
            recordNumber: record.recordNumber,
            clerkUserId: record.clerkUserId,
            codes: outcome.warnings.map((w) => w.code),
          });
        }
      } catch (error) {
        if (!isOrgkitError(error) || error.code === 'invalid_config') throw error;
        failed.push({
          recordNumber: record.recordNumber,
          clerkUserId: record.clerkUserId,
          code: error.code,
          reason: error.message,
        });
      }
    }
    if (done.length > 0) {
      await log.append(...done);
      for (const line of done) state.apply(line);
    }
    o.onDatabaseBatch?.({ users: done.length });
  };

  let completed = true;
  try {
    for await (const item of readClerkExport({
      path: o.input,
      ...(o.format ? { format: o.format } : {}),
    })) {
      if (!item.ok) continue;
      const entry = userMap.get(item.record.clerkUserId);
      if (!entry) continue;
      if (state.users.get(entry.clerkUserId)?.done) {
        alreadyApplied++;
        continue;
      }
      batch.push({ record: item.record, entry });
      if (batch.length >= DB_BATCH) {
        await flush();
        if (o.signal?.aborted) {
          completed = false;
          break;
        }
      }
    }
    if (completed) await flush();
  } finally {
    await log.close();
  }
  return { database: { applied, alreadyApplied, warnings, failed }, completed };
}

/** Rewrites the configured app tables with the run's user map, logged before it starts. */
async function rewriteAppData(
  o: MigrateFromClerkOptions,
  step: DatabaseStep,
  userMap: Map<string, MigrationUserMapEntry>,
): Promise<RewriteClerkAppDataResult> {
  const config = o.config!.appData!;
  const path = dbLogPath(o.outDir);
  const state = createDbLogState(await readDbLog(path));
  const log = await openDbLog(path);
  try {
    if (!state.appData) {
      await log.append({
        t: 'appdata-intent',
        tables: config.tables.map((t) => (t.schema ? `${t.schema}.${t.table}` : t.table)),
      });
    }
    const result = await rewriteClerkAppData({
      database: step.db,
      config,
      idMap: [...userMap.values()],
    });
    await log.append({
      t: 'appdata-done',
      rows: result.tables.reduce((n, t) => n + t.rowsRewritten, 0),
    });
    return result;
  } finally {
    await log.close();
  }
}

function metadataImporter(o: MigrateFromClerkOptions, db: OrgkitDatabase): DatabaseStep {
  const tables = o.metadata?.tables ?? createOrgkitTables();
  const importer = createClerkMetadataImporter({
    ...o.metadata,
    database: db,
    ...(o.config?.metadataRoleMapping ? { roleMapping: o.config.metadataRoleMapping } : {}),
  });
  return { db, tables, importer };
}

/** Writes `migration-errors.json`: every record reported bad or failed, with WorkOS request ids. */
async function writeErrorsFile(outDir: string, summary: MigrateFromClerkSummary): Promise<void> {
  const paths = runPaths(outDir);
  const errors = {
    records: summary.workos.problems,
    // Fields of migrated records that could not be imported: names and reasons, never values.
    notImported: summary.workos.notImported,
    fields: summary.workos.fields,
    database: summary.database?.failed ?? [],
    appData: (summary.appData?.tables ?? [])
      .filter((t) => t.unmapped.rows > 0)
      .map((t) => ({ table: t.table, unmapped: t.unmapped })),
  };
  await writeFileAtomically(
    paths.dir,
    `${paths.dir}/migration-errors.json`,
    `${JSON.stringify(errors, null, 2)}\n`,
  );
}

/**
 * The whole Clerk migration (seed phase 4): the WorkOS side ({@link runClerkMigration}), then
 * per migrated user the metadata into the database (`createClerkMetadataImporter`), then the
 * app tables the config names (`rewriteClerkAppData` with the run's user map). Crash-safe and
 * resumable: the WorkOS log, a database log beside it (`migration-db-log.jsonl`, mode 0600: each
 * user's rows as they were, flushed before the import writes, and what it created after) and
 * the rewrite's own batches let a re-run continue where a crash, SIGKILL or `signal` stopped it.
 * The database step runs only once the WorkOS side reached the input's end. Records are re-read
 * from the input, which the run directory is bound to by its hash.
 *
 * `dryRun` reads the input and WorkOS and writes nothing anywhere: no WorkOS write, no database
 * access, no run directory. At the end `migration-errors.json` in `outDir` lists the records
 * reported bad or failed, with WorkOS's request ids.
 *
 * Configuration mistakes (a config table or column that does not exist, an unknown app role)
 * are `invalid_config` and are found before anything is written.
 *
 * @example
 * ```ts
 * const config = await readClerkMigrationConfig('migrate.json')
 * const summary = await migrateFromClerk({ input: 'users.json', outDir: 'run', workos, database: db, config })
 * if (!summary.ok) console.error(summary.workos.problems, summary.database?.failed)
 * ```
 */
export async function migrateFromClerk(
  options: MigrateFromClerkOptions,
): Promise<MigrateFromClerkSummary> {
  const o = parseInput(optionsSchema, options, WHAT) as unknown as MigrateFromClerkOptions;
  const config = o.config ?? {};
  let step: DatabaseStep | undefined;
  if (!o.dryRun) {
    if (!o.database) {
      throw new OrgkitError('invalid_input', `${WHAT}: database: expected a drizzle database`, {
        details: { key: 'database' },
      });
    }
    // Configuration mistakes surface before the first WorkOS write.
    step = metadataImporter(o, o.database);
    if (config.appData) await resolveAppTables(o.database, config.appData, WHAT);
  }
  const runOptions: RunClerkMigrationOptions = {
    input: o.input,
    outDir: o.outDir,
    workos: o.workos,
    ...(o.format ? { format: o.format } : {}),
    ...(config.organizationMapping ? { organizationMapping: config.organizationMapping } : {}),
    ...(config.roleMapping ? { roleMapping: config.roleMapping } : {}),
    ...(config.ownerRole ? { ownerRole: config.ownerRole } : {}),
    ...(config.memberRole ? { memberRole: config.memberRole } : {}),
    ...(config.totpIssuer ? { totpIssuer: config.totpIssuer } : {}),
    ...(config.workosMetadata ? { workosMetadata: config.workosMetadata } : {}),
    // The option (the CLI's flag) wins over the config file.
    ...((o.organizations ?? config.organizationMode)
      ? { organizations: o.organizations ?? config.organizationMode }
      : {}),
    ...(o.createRoles ? { createRoles: true } : {}),
    ...(o.onlyRecords ? { onlyRecords: o.onlyRecords } : {}),
    ...(o.plannedWrites ? { plannedWrites: o.plannedWrites } : {}),
    ...(o.skipMfa === undefined ? {} : { skipMfa: o.skipMfa }),
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    ...(o.limiter ? { limiter: o.limiter } : {}),
    ...(o.retry ? { retry: o.retry } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  };
  const onRecord = o.onRecord as ((r: MigrationRecordOutcome) => void) | undefined;
  const selected = await selectRecords(o, runOptions, onRecord);
  const run =
    selected.plannedDryRun ??
    (await runClerkMigration({
      ...selected.options,
      ...(o.dryRun ? { dryRun: true } : {}),
      ...(onRecord ? { onRecord } : {}),
    }));
  const { workos, alreadyMigrated } = withoutAlreadyMigrated(run);
  const workosOk = workos.counts.skipped === 0 && workos.counts.failed === 0;
  if (o.dryRun || run.interrupted || !run.userMapPath || !step) {
    const early: MigrateFromClerkSummary = {
      dryRun: Boolean(o.dryRun),
      interrupted: run.interrupted,
      workos,
      alreadyMigrated,
      ok: workosOk && !run.interrupted,
    };
    if (!o.dryRun) await writeErrorsFile(o.outDir, early);
    return early;
  }
  const userMap = await readUserMap(run.userMapPath);
  const lock = await acquireRunLock(runPaths(o.outDir).lock);
  let database: NonNullable<MigrateFromClerkSummary['database']>;
  let completed: boolean;
  let appData: RewriteClerkAppDataResult | undefined;
  try {
    ({ database, completed } = await applyMetadata(o, step, userMap));
    if (completed && config.appData) appData = await rewriteAppData(o, step, userMap);
  } finally {
    await lock.release();
  }
  const summary: MigrateFromClerkSummary = {
    dryRun: false,
    interrupted: !completed,
    workos,
    alreadyMigrated,
    database,
    ...(appData ? { appData } : {}),
    ok: workosOk && completed && database.failed.length === 0,
  };
  await writeErrorsFile(o.outDir, summary);
  return summary;
}
