import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ClerkMigrationConfig,
  createProgressReporter,
  createWriteLimiter,
  DEFAULT_WRITES_PER_SECOND,
  type MigrateFromClerkSummary,
  migrateFromClerk,
  readClerkExport,
  readClerkMigrationConfig,
  undoMigrationFromClerk,
} from '../../migrate/index.js';
import { usageError } from '../usage-error.js';
import { workosClientFor, workosEnvironment } from '../workos-from-env.js';
import type { CommandIo } from './audit-shared.js';
import {
  EXIT_INTERRUPTED,
  existingFile,
  openMigratedDatabase,
  wholeNumberFlag,
  withConfigErrorsAsUsage,
} from './migrate-shared.js';

/** Flags of `orgkit migrate clerk`. */
export interface MigrateClerkFlags {
  input: string;
  out: string;
  dryRun?: boolean | undefined;
  config?: string | undefined;
  rate?: string | undefined;
  concurrency?: string | undefined;
  json?: boolean | undefined;
  undo?: boolean | undefined;
  appDataRestored?: boolean | undefined;
  skipMfa?: boolean | undefined;
  url?: string | undefined;
  organizations?: string | undefined;
  createRoles?: boolean | undefined;
  plan?: string | undefined;
  planIncludePii?: boolean | undefined;
  fromPlan?: string | undefined;
  retryFailed?: boolean | undefined;
}

const ERRORS_FILE = 'migration-errors.json';

/**
 * Ctrl-C aborts the signal (the records in flight finish, the run says `interrupted`); a second
 * Ctrl-C exits at once, which the run log is made for: the next run looks up what was in flight.
 */
function interruptOnSigint(io: CommandIo): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    io.err('orgkit: stopping after the records in flight; Ctrl-C again to exit now');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

async function countRecords(input: string): Promise<number> {
  let n = 0;
  for await (const _ of readClerkExport({ path: input })) n++;
  return n;
}

/** The summary as JSON: counts, record numbers, Clerk ids, codes and reasons; no email or name. */
function summaryJson(s: MigrateFromClerkSummary, rate: number, errorsFile: string | undefined) {
  const warnings = new Map<string, number>();
  for (const w of s.workos.warnings)
    for (const { code } of w.warnings) warnings.set(code, (warnings.get(code) ?? 0) + 1);
  return {
    ok: s.ok,
    dryRun: s.dryRun,
    interrupted: s.interrupted,
    counts: { ...s.workos.counts, alreadyMigrated: s.alreadyMigrated },
    problems: s.workos.problems,
    warnings: Object.fromEntries(warnings),
    organizations: s.workos.organizations,
    workosWrites: s.workos.writes,
    ...(s.workos.createdRoles.length > 0 ? { createdRoles: s.workos.createdRoles } : {}),
    fields: s.workos.fields,
    ...(s.dryRun
      ? {
          writesPerSecond: rate,
          estimatedSeconds: Math.ceil(s.workos.writes / rate),
          ...(s.workos.missingRoles ? { missingRoles: s.workos.missingRoles } : {}),
        }
      : {}),
    ...(s.database ? { database: s.database } : {}),
    ...(s.appData ? { appData: s.appData.tables } : {}),
    ...(errorsFile ? { errorsFile } : {}),
  };
}

function printSummary(io: CommandIo, json: ReturnType<typeof summaryJson>): void {
  const c = json.counts;
  const verb = json.dryRun ? 'would be ' : '';
  io.out(
    `Clerk migration${json.dryRun ? ' (dry run)' : ''}${json.interrupted ? ' (interrupted)' : ''}: ${c.created} ${verb}created, ${c.matched} ${verb}matched, ${c.alreadyMigrated} already migrated, ${c.skipped} skipped, ${c.failed} failed`,
  );
  if (json.dryRun) {
    io.out(
      `WorkOS writes: ${json.workosWrites} (organizations: ${json.organizations}), about ${json.estimatedSeconds}s at ${json.writesPerSecond} writes/s`,
    );
    if (json.createdRoles?.length) io.out(`roles to create: ${json.createdRoles.join(', ')}`);
    if (json.missingRoles?.length) {
      io.out(`roles the WorkOS environment does not define: ${json.missingRoles.join(', ')}`);
    }
  } else {
    io.out(`WorkOS writes: ${json.workosWrites} (organizations: ${json.organizations})`);
    if (json.createdRoles?.length) io.out(`roles created: ${json.createdRoles.join(', ')}`);
  }
  for (const [field, c] of Object.entries(json.fields)) {
    for (const [code, n] of Object.entries(c.notImported)) {
      io.out(`field ${field}: not imported (${code}) for ${n} records`);
    }
  }
  if (json.database) {
    const d = json.database;
    io.out(
      `database: ${d.applied} users applied, ${d.alreadyApplied} already applied, ${d.failed.length} failed, ${d.warnings.length} with metadata warnings`,
    );
  }
  for (const t of json.appData ?? []) {
    io.out(
      `app data: ${t.table}: ${t.rowsRewritten} rows rewritten, ${t.unmapped.rows} with an unknown user id`,
    );
  }
  for (const [code, n] of Object.entries(json.warnings)) io.out(`warning: ${code}: ${n} records`);
  for (const p of json.problems) {
    const id = p.clerkUserId ? ` (${p.clerkUserId})` : '';
    const request =
      p.status === 'failed' && p.workosRequestId ? ` [request ${p.workosRequestId}]` : '';
    io.out(`record ${p.recordNumber}${id}: ${p.status} ${p.code}: ${p.reason}${request}`);
  }
  for (const f of json.database?.failed ?? []) {
    io.out(`record ${f.recordNumber} (${f.clerkUserId}): database failed ${f.code}: ${f.reason}`);
  }
  if (json.errorsFile) io.out(`errors: ${json.errorsFile}`);
}

async function undo(flags: MigrateClerkFlags, io: CommandIo): Promise<number> {
  const workos = await workosClientFor(workosEnvironment());
  const rate = wholeNumberFlag(flags.rate, '--rate', 10_000);
  const concurrency = wholeNumberFlag(flags.concurrency, '--concurrency', 256);
  const wroteDatabase = existsSync(join(flags.out, 'migration-db-log.jsonl'));
  const opened = wroteDatabase ? await openMigratedDatabase(flags.url) : undefined;
  try {
    const summary = await undoMigrationFromClerk({
      outDir: flags.out,
      workos,
      input: flags.input,
      ...(opened ? { database: opened.db } : {}),
      ...(flags.appDataRestored ? { appDataRestored: true } : {}),
      ...(concurrency ? { concurrency } : {}),
      limiter: createWriteLimiter(rate ? { perSecond: rate } : {}),
    });
    if (flags.json) io.out(JSON.stringify(summary, null, 2));
    else {
      const d = summary.workos.deleted;
      io.out(
        `undo: database: ${summary.databaseUsersRestored} users restored; WorkOS deleted ${d.users} users, ${d.organizations} organizations, ${d.memberships} memberships, ${d.factors} factors; ${summary.workos.failed.length} failed`,
      );
      for (const f of summary.workos.failed) {
        io.out(
          `${f.kind}${f.clerkUserId ? ` (${f.clerkUserId})` : ''}: ${f.code}: ${f.reason}${f.workosRequestId ? ` [request ${f.workosRequestId}]` : ''}`,
        );
      }
    }
    return summary.workos.failed.length === 0 ? 0 : 1;
  } finally {
    await opened?.close();
  }
}

async function run(flags: MigrateClerkFlags, io: CommandIo): Promise<number> {
  const rate = wholeNumberFlag(flags.rate, '--rate', 10_000) ?? DEFAULT_WRITES_PER_SECOND;
  const concurrency = wholeNumberFlag(flags.concurrency, '--concurrency', 256);
  const config: ClerkMigrationConfig | undefined = flags.config
    ? await readClerkMigrationConfig(flags.config)
    : undefined;
  const workos = await workosClientFor(workosEnvironment());
  const total = await countRecords(flags.input);
  const opened = flags.dryRun ? undefined : await openMigratedDatabase(flags.url);
  const interrupt = interruptOnSigint(io);
  const progress = createProgressReporter({ stream: process.stderr, total });
  try {
    const summary = await migrateFromClerk({
      input: flags.input,
      outDir: flags.out,
      workos,
      ...(opened ? { database: opened.db } : {}),
      ...(config ? { config } : {}),
      ...(flags.dryRun ? { dryRun: true } : {}),
      ...(flags.skipMfa ? { skipMfa: true } : {}),
      ...(flags.organizations
        ? { organizations: flags.organizations as 'personal' | 'mapped' | 'none' }
        : {}),
      ...(flags.createRoles ? { createRoles: true } : {}),
      ...(flags.plan ? { plan: flags.plan } : {}),
      ...(flags.planIncludePii ? { planIncludePii: true } : {}),
      ...(flags.fromPlan ? { fromPlan: flags.fromPlan } : {}),
      ...(flags.retryFailed ? { retryFailed: true } : {}),
      ...(concurrency ? { concurrency } : {}),
      limiter: createWriteLimiter({ perSecond: rate }),
      signal: interrupt.signal,
      onRecord: (outcome) => progress.tick(outcome.status),
    });
    progress.stop();
    const errorsFile = summary.dryRun ? undefined : join(flags.out, ERRORS_FILE);
    const json = summaryJson(summary, rate, errorsFile);
    if (flags.json) io.out(JSON.stringify(json, null, 2));
    else printSummary(io, json);
    if (summary.interrupted) return EXIT_INTERRUPTED;
    return summary.ok ? 0 : 1;
  } finally {
    progress.stop();
    interrupt.dispose();
    await opened?.close();
  }
}

/**
 * `orgkit migrate clerk --input FILE --out DIR [--dry-run] [--config FILE] [--rate N]
 * [--concurrency N] [--json] [--undo [--app-data-restored]] [--skip-mfa] [--url URL]
 * [--organizations personal|mapped|none] [--create-roles] [--plan FILE [--plan-include-pii]]
 * [--from-plan FILE] [--retry-failed]`.
 * Exit 0 when every valid record is migrated, 1 when some were bad or failed, 2 on a usage or
 * configuration mistake, 130 when Ctrl-C stopped it.
 */
export async function migrateClerkCommand(
  flags: MigrateClerkFlags,
  io: CommandIo,
): Promise<number> {
  return withConfigErrorsAsUsage(io, async () => {
    existingFile(flags.input, '--input');
    existingFile(flags.config, '--config');
    existingFile(flags.fromPlan, '--from-plan');
    const selections = [flags.plan, flags.fromPlan, flags.retryFailed].filter(Boolean);
    if (selections.length > 1) {
      throw usageError('--plan, --from-plan and --retry-failed do not go together');
    }
    if (flags.planIncludePii && !flags.plan)
      throw usageError('--plan-include-pii goes with --plan');
    if (flags.fromPlan && flags.dryRun)
      throw usageError('--from-plan runs a plan; leave out --dry-run');
    if (flags.undo && (selections.length > 0 || flags.organizations || flags.createRoles)) {
      throw usageError('--undo takes back the run in --out; it takes no run options');
    }
    if (flags.undo && flags.dryRun) throw usageError('--undo and --dry-run do not go together');
    if (flags.appDataRestored && !flags.undo) {
      throw usageError('--app-data-restored goes with --undo');
    }
    return flags.undo ? undo(flags, io) : run(flags, io);
  });
}
