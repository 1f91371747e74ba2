import { defineCommand } from '../define-command.js';
import { JSON_FLAG, URL_FLAG } from './shared-flags.js';

export const migrateClerk = defineCommand({
  path: ['migrate', 'clerk'],
  summary: 'move users, organizations, roles, metadata and app data from a Clerk export to WorkOS',
  details:
    'Reads a Clerk export (dashboard CSV or Backend API JSON), creates or matches each user in WorkOS (with a personal organization and owner membership, or the mapped ones, per --organizations, and the TOTP factor), writes the profile (username, phone numbers, other addresses, metadata) and the metadata into the database and rewrites the app tables the config names. WorkOS from WORKOS_API_KEY and WORKOS_CLIENT_ID (WORKOS_API_HOSTNAME, WORKOS_API_PORT, WORKOS_API_HTTPS for a local API). Crash-safe: run it again to resume. Ctrl-C stops after the records in flight (exit 130); a second Ctrl-C exits at once. Pause WorkOS webhook delivery during an import.',
  exitCodes: {
    0: 'every valid record migrated (or, with --dry-run, would be; with --undo, undone)',
    1: 'some records were reported bad or failed (see DIR/migration-errors.json), or failed; 130 interrupted',
  },
  flags: {
    input: { value: 'FILE', description: 'the Clerk export (CSV or JSON)', required: true },
    out: {
      value: 'DIR',
      description: 'the run directory: log, user map, errors file (created, mode 0700)',
      required: true,
    },
    'dry-run': {
      description: 'check the input and WorkOS read-only; write nothing anywhere',
    },
    config: {
      value: 'FILE',
      description: 'a JSON config: mapping CSVs, roles, role mapping, app tables, TOTP issuer',
    },
    rate: { value: 'N', description: 'WorkOS writes per second (default 45)' },
    concurrency: { value: 'N', description: 'records in flight at once (default 8)' },
    json: JSON_FLAG,
    undo: { description: 'take back what the run in --out created, database first' },
    'app-data-restored': {
      description:
        'with --undo: the app tables the run rewrote were restored from a backup; undo the rest',
    },
    'skip-mfa': { description: 'do not enroll TOTP factors' },
    organizations: {
      value: 'MODE',
      description:
        "personal (default: a personal organization for each user the mapping leaves out), mapped (only the mapping's organizations) or none (users and factors only)",
      choices: ['personal', 'mapped', 'none'],
    },
    'create-roles': {
      description: 'create the roles the run assigns that the WorkOS environment lacks',
    },
    plan: {
      value: 'FILE',
      description:
        'write a reviewable plan first (one line per record: actions, where each field goes, skips; mode 0600); with --dry-run stop there, else run it',
    },
    'plan-include-pii': { description: 'with --plan: put emails, names and usernames in the plan' },
    'from-plan': {
      value: 'FILE',
      description:
        'run exactly this plan; refused if the input, mapping or WorkOS environment changed since',
    },
    'retry-failed': {
      description: 'run again only the records DIR/migration-errors.json lists as failed',
    },
    url: URL_FLAG,
  },
  async run(flags, io) {
    const { migrateClerkCommand } = await import('../commands/migrate-clerk.js');
    return migrateClerkCommand(flags, io);
  },
});
