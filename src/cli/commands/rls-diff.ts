import { defaultRlsModel, diffRls, type RlsDiffOptions, type RlsTarget } from '../../rls/index.js';
import { loadRlsModel } from '../load-rls-model.js';
import { openDatabase } from '../open-database.js';
import { usageError } from '../usage-error.js';

/** Flags of `orgkit rls diff`. */
export interface RlsDiffFlags {
  url?: string | undefined;
  config?: string | undefined;
  target?: string | undefined;
  schema?: string | undefined;
  role?: string | undefined;
  permissive?: string | undefined;
  json?: boolean | undefined;
  sql?: boolean | undefined;
}

/**
 * `orgkit rls diff [--url URL] [--config FILE] [--target T] [--json | --sql]`: the live
 * database against the model. Exit code 1 on any drift, 0 when they match.
 */
export async function rlsDiffCommand(
  flags: RlsDiffFlags,
  out: (line: string) => void,
): Promise<number> {
  if (flags.json && flags.sql) throw usageError('rls diff takes --json or --sql, not both');
  const model = flags.config ? await loadRlsModel(flags.config) : defaultRlsModel();
  const options: RlsDiffOptions = {};
  if (flags.target !== undefined) options.target = flags.target as RlsTarget;
  if (flags.schema !== undefined) options.schema = flags.schema;
  if (flags.role !== undefined) options.role = flags.role;
  if (flags.permissive !== undefined) {
    options.permissivePolicies = flags.permissive as 'combined' | 'separate';
  }
  const opened = await openDatabase(flags.url ?? process.env.DATABASE_URL);
  try {
    const diff = await diffRls(opened.db, model, options);
    if (flags.json) {
      out(JSON.stringify(diff, null, 2));
    } else if (flags.sql) {
      out(diff.sql ? diff.sql.trimEnd() : '-- orgkit rls diff: the database matches the model');
    } else {
      for (const d of diff.differences) out(`drift   ${d.kind}: ${d.message}`);
      out(
        diff.differences.length === 0
          ? `${opened.location}: row-level security matches the model`
          : `${opened.location}: ${diff.differences.length} difference(s); run with --sql for the SQL that mends them`,
      );
    }
    return diff.differences.length > 0 ? 1 : 0;
  } finally {
    await opened.close();
  }
}
