import type { RlsLintFinding } from '../../rls/lint/index.js';
import { lintRls } from '../../rls/lint/index.js';
import { openDatabase } from '../open-database.js';

/** Flags of `orgkit rls lint`. */
export interface RlsLintFlags {
  url?: string | undefined;
  json?: boolean | undefined;
  /** The request role. @default 'authenticated' */
  role?: string | undefined;
}

function describe(found: RlsLintFinding): string {
  return `${found.level.padEnd(7)} ${found.rule}: ${found.message} [${found.cacheKey}]`;
}

/**
 * `orgkit rls lint [--url URL] [--role ROLE] [--json]`: lints the row-level security of the
 * schemas on the search path. Exit code 1 when a finding is an error, else 0.
 */
export async function rlsLintCommand(
  flags: RlsLintFlags,
  out: (line: string) => void,
): Promise<number> {
  const opened = await openDatabase(flags.url ?? process.env.DATABASE_URL);
  try {
    const findings = await lintRls(opened.db, flags.role === undefined ? {} : { role: flags.role });
    const errors = findings.filter((found) => found.level === 'error').length;
    if (flags.json) {
      out(JSON.stringify(findings, null, 2));
    } else {
      for (const found of findings) out(describe(found));
      out(
        `${opened.location}: ${errors} error(s), ${findings.length - errors} warning(s)${findings.length ? '' : ', row-level security looks right'}`,
      );
    }
    return errors > 0 ? 1 : 0;
  } finally {
    await opened.close();
  }
}
