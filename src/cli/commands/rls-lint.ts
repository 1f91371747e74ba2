import type { RlsLintFinding, RlsLintOptions } from '../../rls/lint/index.js';
import { lintRls } from '../../rls/lint/index.js';
import { openDatabase } from '../open-database.js';

/** Flags of `orgkit rls lint`. */
export interface RlsLintFlags {
  url?: string | undefined;
  json?: boolean | undefined;
  /** The request role. @default 'authenticated' */
  role?: string | undefined;
  /** Comma-separated `cacheKey`s of findings silenced on purpose. */
  ignore?: string | undefined;
}

function describe(found: RlsLintFinding): string {
  return `${found.level.padEnd(7)} ${found.rule}: ${found.message} [${found.cacheKey}]`;
}

function count(findings: RlsLintFinding[], level: RlsLintFinding['level']): number {
  return findings.filter((found) => found.level === level).length;
}

/**
 * `orgkit rls lint [--url URL] [--role ROLE] [--ignore KEYS] [--json]`: lints the row-level
 * security of the schemas on the search path. Exit code 1 on any error or warning finding
 * (silence a deliberate one with `--ignore`); `info` findings alone exit 0.
 */
export async function rlsLintCommand(
  flags: RlsLintFlags,
  out: (line: string) => void,
): Promise<number> {
  const options: RlsLintOptions = {};
  if (flags.role !== undefined) options.role = flags.role;
  const ignore = (flags.ignore ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (ignore.length > 0) options.ignore = ignore;
  const opened = await openDatabase(flags.url ?? process.env.DATABASE_URL);
  try {
    const findings = await lintRls(opened.db, options);
    const errors = count(findings, 'error');
    const warnings = count(findings, 'warning');
    if (flags.json) {
      out(JSON.stringify(findings, null, 2));
    } else {
      for (const found of findings) out(describe(found));
      out(
        `${opened.location}: ${errors} error(s), ${warnings} warning(s), ${count(findings, 'info')} info${errors + warnings ? '' : ', row-level security looks right'}`,
      );
    }
    return errors + warnings > 0 ? 1 : 0;
  } finally {
    await opened.close();
  }
}
