/** The checks {@link validateClerkMigration} runs, in report order. Stable: callers switch on these. */
export const CLERK_MIGRATION_CHECKS = [
  'id_map_matches_export',
  'users_mirrored',
  'users_have_organization',
  'rows_rewritten',
  'rows_have_organization',
  'foreign_keys',
  'required_columns',
] as const;

export type ClerkMigrationCheckName = (typeof CLERK_MIGRATION_CHECKS)[number];

/** One check's verdict. `details` is JSON, naming tables, columns, counts and ids, never personal data. */
export interface ClerkMigrationCheck {
  name: ClerkMigrationCheckName;
  ok: boolean;
  /** One line for people. */
  summary: string;
  details: Record<string, unknown>;
}

/**
 * The outcome of `validateClerkMigration`: `ok` only when every check passed. Plain JSON
 * (`JSON.stringify(report)` is the `--json` output); {@link formatClerkMigrationReport} prints it.
 */
export interface ClerkMigrationReport {
  ok: boolean;
  checks: ClerkMigrationCheck[];
}

/**
 * The report as text: one line per check, with the details of each failed one below it.
 *
 * @example
 * ```ts
 * const report = await validateClerkMigration({ database: db, idMap, expectedUserCount: 1999 })
 * process.stdout.write(formatClerkMigrationReport(report))
 * process.exitCode = report.ok ? 0 : 1
 * ```
 */
export function formatClerkMigrationReport(report: ClerkMigrationReport): string {
  const lines = [`Clerk migration validation: ${report.ok ? 'passed' : 'FAILED'}`];
  for (const check of report.checks) {
    lines.push(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.summary}`);
    if (check.ok) continue;
    for (const [key, value] of Object.entries(check.details)) {
      lines.push(`         ${key}: ${JSON.stringify(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
