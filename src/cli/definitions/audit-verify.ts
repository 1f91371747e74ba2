import { defineCommand } from '../define-command.js';
import { JSON_FLAG, ORG_FLAG, URL_FLAG } from './shared-flags.js';

export const auditVerify = defineCommand({
  path: ['audit', 'verify'],
  summary: 'recompute the audit hash chains and name the first broken link of each',
  details:
    'Checks every chain, or the one --org names. With --checkpoint, also checks that every chain still reaches the heads the checkpoint recorded (and, with ORGKIT_AUDIT_CHECKPOINT_KEY set, its signature); with --incremental too, checks only the events written after the checkpoint, each chain from the event the checkpoint recorded.',
  exitCodes: { 0: 'the audit log is intact', 1: 'a chain is broken, or failed' },
  flags: {
    url: URL_FLAG,
    org: ORG_FLAG,
    checkpoint: { value: 'FILE', description: 'a checkpoint written by "audit checkpoint"' },
    incremental: {
      description: 'with --checkpoint: check only what was written after it (a daily check)',
    },
    json: JSON_FLAG,
  },
  async run(flags, io) {
    const { auditVerifyCommand } = await import('../commands/audit-verify.js');
    return auditVerifyCommand(flags, io);
  },
});
