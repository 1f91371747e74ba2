import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatClerkMigrationReport,
  readClerkExport,
  readClerkMigrationConfig,
  validateClerkMigration,
} from '../../migrate/index.js';
import { usageError } from '../usage-error.js';
import type { CommandIo } from './audit-shared.js';
import { existingFile, openMigratedDatabase, withConfigErrorsAsUsage } from './migrate-shared.js';

/** Flags of `orgkit migrate validate`. */
export interface MigrateValidateFlags {
  out: string;
  input?: string | undefined;
  config?: string | undefined;
  url?: string | undefined;
  json?: boolean | undefined;
}

async function validRecords(input: string): Promise<number> {
  let n = 0;
  for await (const entry of readClerkExport({ path: input })) if (entry.ok) n++;
  return n;
}

/**
 * `orgkit migrate validate --out DIR [--input FILE] [--config FILE] [--url URL] [--json]`:
 * checks a finished migration against its user map (seed 4.3); exit 1 on any failed check.
 */
export async function migrateValidateCommand(
  flags: MigrateValidateFlags,
  io: CommandIo,
): Promise<number> {
  return withConfigErrorsAsUsage(io, async () => {
    const input = existingFile(flags.input, '--input');
    const config = flags.config
      ? await readClerkMigrationConfig(existingFile(flags.config, '--config')!)
      : undefined;
    let idMap: unknown;
    try {
      idMap = JSON.parse(await readFile(join(flags.out, 'migration-user-map.json'), 'utf8'));
    } catch {
      throw usageError(
        `--out: ${flags.out} has no readable migration-user-map.json; run "orgkit migrate clerk" to its end first`,
      );
    }
    const expectedUserCount = input === undefined ? undefined : await validRecords(input);
    const opened = await openMigratedDatabase(flags.url);
    try {
      const report = await validateClerkMigration({
        database: opened.db,
        idMap: idMap as never,
        ...(expectedUserCount === undefined ? {} : { expectedUserCount }),
        ...(config?.appData ? { config: config.appData } : {}),
      });
      io.out(
        flags.json ? JSON.stringify(report, null, 2) : formatClerkMigrationReport(report).trimEnd(),
      );
      return report.ok ? 0 : 1;
    } finally {
      await opened.close();
    }
  });
}
