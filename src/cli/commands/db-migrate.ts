import { migrate } from '../../db/migrate.js';
import { openDatabase } from '../open-database.js';

/** `orgkit db migrate [--url URL]`: applies orgkit's tables; embedded PGlite when no URL. */
export async function dbMigrateCommand(
  flags: { url?: string | undefined },
  out: (line: string) => void,
): Promise<void> {
  const opened = await openDatabase(flags.url ?? process.env.DATABASE_URL);
  try {
    const result = await migrate(opened.db);
    for (const tag of result.applied) out(`applied  ${tag}`);
    out(
      result.applied.length
        ? `${opened.location}: ${result.applied.length} migration(s) applied`
        : `${opened.location}: up to date (${result.skipped.length} already applied)`,
    );
  } finally {
    await opened.close();
  }
}
