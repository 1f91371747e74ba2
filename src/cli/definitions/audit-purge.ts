import { defineCommand } from '../define-command.js';
import { JSON_FLAG, URL_FLAG } from './shared-flags.js';

export const auditPurge = defineCommand({
  path: ['audit', 'purge'],
  summary: 'remove audit events older than the retention period, keeping the chains verifiable',
  details:
    "Removes whole expired prefixes of each chain, after recording a purge checkpoint that the rest verifies from. --retention-days is required: the CLI cannot see the app's audit.retentionDays.",
  exitCodes: { 0: 'purged, or nothing to purge', 1: 'failed' },
  flags: {
    'retention-days': {
      value: 'N',
      required: true,
      description: 'the audit retention period, in days',
    },
    url: URL_FLAG,
    json: JSON_FLAG,
  },
  async run(flags, io) {
    const { auditPurgeCommand } = await import('../commands/audit-purge.js');
    return auditPurgeCommand(flags, io);
  },
});
