import { defineCommand } from '../define-command.js';
import { URL_FLAG } from './shared-flags.js';

export const dbMigrate = defineCommand({
  path: ['db', 'migrate'],
  summary: "apply orgkit's tables (safe to run twice, or from two processes at once)",
  details: "Applies orgkit's committed SQL migrations and records them in orgkit_migrations.",
  exitCodes: { 0: 'applied, or up to date', 1: 'failed' },
  flags: { url: URL_FLAG },
  async run(flags, io) {
    const { dbMigrateCommand } = await import('../commands/db-migrate.js');
    await dbMigrateCommand(flags, io.out);
    return 0;
  },
});
