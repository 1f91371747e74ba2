import { defineCommand } from '../define-command.js';
import { URL_FLAG } from './shared-flags.js';

export const auditCheckpoint = defineCommand({
  path: ['audit', 'checkpoint'],
  summary: 'record the head of every audit chain, verified, as JSON to keep outside the database',
  details:
    'Takes the checkpoint, verifies every chain up to it, and only then writes it (signed with ORGKIT_AUDIT_CHECKPOINT_KEY when set). Never overwrites a file: an older checkpoint is evidence.',
  exitCodes: { 0: 'written', 1: 'a chain is broken (nothing written), or failed' },
  flags: {
    url: URL_FLAG,
    out: { value: 'FILE', description: 'a new file to write it to (default: stdout)' },
  },
  async run(flags, io) {
    const { auditCheckpointCommand } = await import('../commands/audit-checkpoint.js');
    return auditCheckpointCommand(flags, io);
  },
});
