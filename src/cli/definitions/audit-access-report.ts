import { defineCommand } from '../define-command.js';
import { TIME_RANGE_FLAGS, URL_FLAG } from './shared-flags.js';

export const auditAccessReport = defineCommand({
  path: ['audit', 'access-report'],
  summary: "who accessed one person's records, when and why, as CSV, JSON lines or HTML",
  details:
    'Lists every event naming the person as a data subject, oldest first (reads with their purpose, disclosures, changes; emergency and impersonated access marked), streamed in constant memory. The read is recorded as access.report_read.',
  exitCodes: { 0: 'reported', 1: 'failed' },
  flags: {
    subject: { value: 'ID', required: true, description: "the person's id (a WorkOS user id)" },
    format: {
      value: 'FORMAT',
      choices: ['csv', 'jsonl', 'html'],
      required: true,
      description: 'the output format',
    },
    ...TIME_RANGE_FLAGS,
    disclosures: {
      description: 'only the accounting of disclosures (recipient, description, purpose)',
    },
    out: { value: 'FILE', description: 'write to FILE (default: stdout)' },
    url: URL_FLAG,
  },
  async run(flags, io) {
    const { auditAccessReportCommand } = await import('../commands/audit-access-report.js');
    return auditAccessReportCommand(flags, io);
  },
});
