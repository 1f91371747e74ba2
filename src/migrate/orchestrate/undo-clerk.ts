import * as z from 'zod';
import type { OrgkitDatabase } from '../../db/database.js';
import { createOrgkitTables, type OrgkitTables } from '../../db/tables.js';
import { OrgkitError, parseInput } from '../../errors/index.js';
import { hashInputFile } from '../input/input-hash.js';
import { limiterSchema, retrySchema, workosSchema } from '../run/options.js';
import { runPaths } from '../run/run-files.js';
import { acquireRunLock } from '../run/run-lock.js';
import { checkManifest, environmentOf, requireManifest } from '../run/run-manifest.js';
import type { UndoClerkMigrationOptions, UndoSummary } from '../run/types.js';
import { undoClerkMigration } from '../run/undo-migration.js';
import { createDbLogState, dbLogPath, openDbLog, readDbLog } from './db-log.js';
import { restoreRows } from './db-rows.js';

/** Options of {@link undoMigrationFromClerk}. */
export interface UndoMigrationFromClerkOptions
  extends Pick<
    UndoClerkMigrationOptions,
    'outDir' | 'workos' | 'input' | 'concurrency' | 'limiter' | 'retry' | 'onObject'
  > {
  /** The database the run wrote to. Needed when the run reached its database step. */
  readonly database?: OrgkitDatabase;
  /** Renamed tables from `createOrgkitTables`. @default the default names */
  readonly tables?: OrgkitTables;
  /**
   * The operator has restored the app tables the run rewrote (from the backup taken before the
   * run). Without it, undo refuses once the app-data rewrite has started: see the error.
   * @default false
   */
  readonly appDataRestored?: boolean;
}

/** What {@link undoMigrationFromClerk} returns. */
export interface UndoMigrationFromClerkSummary {
  /** Users whose database rows were put back as they were before the run. */
  readonly databaseUsersRestored: number;
  readonly workos: UndoSummary;
}

const WHAT = 'undoMigrationFromClerk';

const optionsSchema = z.looseObject({
  outDir: z.string().min(1, 'expected the run directory'),
  workos: workosSchema,
  input: z.string().min(1).optional(),
  database: z
    .custom<OrgkitDatabase>(
      (v) => typeof (v as { transaction?: unknown } | null)?.transaction === 'function',
      'expected a drizzle database',
    )
    .optional(),
  appDataRestored: z.boolean().default(false),
  limiter: limiterSchema.optional(),
  retry: retrySchema.optional(),
});

/**
 * Takes back what {@link migrateFromClerk} did, database first, then WorkOS
 * (`undoClerkMigration`): each user's `users`, `expert_setup` and `user_preferences` rows are put
 * back as the database log recorded them before the run first wrote (rows the run created are
 * deleted, a changed role and changed rows get their old values), newest first; each user is
 * logged once restored, so an interrupted undo is run again to finish. Audit events the import
 * recorded stay: the audit log is append-only.
 *
 * The app-data rewrite is not reverted: it overwrote Clerk ids in place and filled organization
 * columns without keeping the old values, and rows the app wrote since carry the same WorkOS ids,
 * so there is no safe way to tell which rows to put back. Once a rewrite has started, undo
 * refuses (`conflict`, reason `app_data_rewritten`) until the operator restores those tables from
 * the backup taken before the run and passes `appDataRestored: true`. Refused as
 * `undoClerkMigration` refuses (a run holding the directory, another WorkOS environment or input).
 *
 * @example
 * ```ts
 * const undone = await undoMigrationFromClerk({ outDir: 'run', workos, database: db })
 * console.log(undone.databaseUsersRestored, undone.workos.deleted)
 * ```
 */
export async function undoMigrationFromClerk(
  options: UndoMigrationFromClerkOptions,
): Promise<UndoMigrationFromClerkSummary> {
  const o = parseInput(optionsSchema, options, WHAT) as unknown as UndoMigrationFromClerkOptions;
  const paths = runPaths(o.outDir);
  const manifest = await requireManifest(paths, o.outDir, WHAT);
  // Checked before the database is touched; undoClerkMigration checks the input hash too.
  const inputHash = o.input === undefined ? undefined : await hashInputFile(o.input);
  checkManifest(
    manifest,
    { ...(inputHash ? { inputHash } : {}), environment: environmentOf(o.workos, WHAT) },
    WHAT,
  );
  const logPath = dbLogPath(o.outDir);
  const state = createDbLogState(await readDbLog(logPath));
  if (state.appData && !o.appDataRestored) {
    throw new OrgkitError(
      'conflict',
      `${WHAT}: this run rewrote the app tables ${state.appData.tables.join(', ')}, and orgkit keeps no copy of the values it replaced. Restore those tables from the backup taken before the run, then undo again with --app-data-restored (appDataRestored: true). Nothing was undone`,
      { reason: 'app_data_rewritten', details: { tables: state.appData.tables } },
    );
  }
  let restored = 0;
  if (state.users.size > 0 || state.appData) {
    if (!o.database) {
      throw new OrgkitError(
        'invalid_input',
        `${WHAT}: database: this run wrote to the database; pass the database it wrote to`,
        { details: { key: 'database' } },
      );
    }
    const tables = o.tables ?? createOrgkitTables();
    const lock = await acquireRunLock(paths.lock);
    const log = await openDbLog(logPath);
    try {
      if (state.appData) {
        await log.append({ t: 'appdata-undone' });
        state.apply({ t: 'appdata-undone' });
      }
      const users = [...state.users.entries()].sort((a, b) => b[1].order - a[1].order);
      for (const [clerkUserId, user] of users) {
        await restoreRows(o.database, tables, user.workosUserId, user.before);
        await log.append({ t: 'db-undone', c: clerkUserId });
        restored++;
      }
    } finally {
      await log.close();
      await lock.release();
    }
  }
  const workos = await undoClerkMigration({
    outDir: o.outDir,
    workos: o.workos,
    ...(o.input ? { input: o.input } : {}),
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    ...(o.limiter ? { limiter: o.limiter } : {}),
    ...(o.retry ? { retry: o.retry } : {}),
    ...(o.onObject ? { onObject: o.onObject } : {}),
  });
  return { databaseUsersRestored: restored, workos };
}
