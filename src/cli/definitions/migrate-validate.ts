import { defineCommand } from '../define-command.js';
import { JSON_FLAG, URL_FLAG } from './shared-flags.js';

export const migrateValidate = defineCommand({
  path: ['migrate', 'validate'],
  summary: 'check a finished Clerk migration: users, organizations, app rows, foreign keys',
  details:
    "Reads DIR/migration-user-map.json and checks the database: every mapped user has a users row and an organization, every configured app row was rewritten and has an organization id, foreign keys hold, required columns are set, and (with --input) the map holds as many users as the export's valid records.",
  exitCodes: { 0: 'every check passed', 1: 'a check failed, or failed' },
  flags: {
    out: { value: 'DIR', description: 'the run directory of `migrate clerk`', required: true },
    input: { value: 'FILE', description: 'the Clerk export, to compare user counts' },
    config: { value: 'FILE', description: 'the config file the run used (its app tables)' },
    url: URL_FLAG,
    json: JSON_FLAG,
  },
  async run(flags, io) {
    const { migrateValidateCommand } = await import('../commands/migrate-validate.js');
    return migrateValidateCommand(flags, io);
  },
});
