import { existsSync } from 'node:fs';
import { migrate } from '../../db/migrate.js';
import { isOrgkitError } from '../../errors/index.js';
import { type OpenedDatabase, openDatabase } from '../open-database.js';
import { usageError } from '../usage-error.js';
import type { CommandIo } from './audit-shared.js';

/** Exit code of a run stopped by Ctrl-C: 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;
/** Exit code of a usage or configuration mistake. */
export const EXIT_USAGE = 2;

/** `--rate N` / `--concurrency N`: a whole number in range, else a usage error. */
export function wholeNumberFlag(
  value: string | undefined,
  flag: string,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > max) {
    throw usageError(`${flag}: expected a whole number from 1 to ${max}`);
  }
  return n;
}

/** A file flag that must name an existing file. */
export function existingFile(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && !existsSync(value)) throw usageError(`${flag}: no such file`);
  return value;
}

/** The database from --url / DATABASE_URL, else embedded PGlite in ./.orgkit, migrated first. */
export async function openMigratedDatabase(url: string | undefined): Promise<OpenedDatabase> {
  const opened = await openDatabase(url ?? process.env.DATABASE_URL);
  try {
    await migrate(opened.db);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

/**
 * Runs a migrate command, turning a configuration mistake (`invalid_config`: the environment,
 * the config file, a table it names) into exit code 2, like a usage error.
 */
export async function withConfigErrorsAsUsage(
  io: CommandIo,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (isOrgkitError(error) && error.code === 'invalid_config') {
      io.err(`orgkit: invalid_config: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
