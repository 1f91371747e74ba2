import { defineCommand } from '../define-command.js';
import { ORG_FLAG, TIME_RANGE_FLAGS, URL_FLAG } from './shared-flags.js';

export const auditExport = defineCommand({
  path: ['audit', 'export'],
  summary: "stream one organization's audit events, oldest first, as JSON lines or CSV",
  details:
    "Streams in constant memory whatever the size. CSV cells a spreadsheet would run as a formula are prefixed with '.",
  exitCodes: { 0: 'exported', 1: 'failed' },
  flags: {
    org: { ...ORG_FLAG, required: true },
    format: {
      value: 'FORMAT',
      choices: ['jsonl', 'csv'],
      required: true,
      description: 'the output format',
    },
    ...TIME_RANGE_FLAGS,
    out: { value: 'FILE', description: 'write to FILE (default: stdout)' },
    url: URL_FLAG,
  },
  async run(flags, io) {
    const { auditExportCommand } = await import('../commands/audit-export.js');
    return auditExportCommand(flags, io);
  },
});
