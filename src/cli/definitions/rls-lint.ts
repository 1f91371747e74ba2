import { defineCommand } from '../define-command.js';
import { JSON_FLAG, URL_FLAG } from './shared-flags.js';

export const rlsLint = defineCommand({
  path: ['rls', 'lint'],
  summary: 'check a live database for row-level-security mistakes',
  details:
    'Lints the schemas on the search path: RLS off or not forced, per-row claim reads, always-true policies, unindexed policy columns, a privileged request role, views without security_invoker, and more.',
  exitCodes: {
    0: 'no error or warning finding (info allowed)',
    1: 'an error or warning finding, or failed',
  },
  flags: {
    url: URL_FLAG,
    role: { value: 'R', description: 'the request role (default: authenticated)' },
    ignore: {
      value: 'KEYS',
      description: 'comma-separated cacheKeys of findings to leave out on purpose',
    },
    json: JSON_FLAG,
  },
  async run(flags, io) {
    const { rlsLintCommand } = await import('../commands/rls-lint.js');
    return rlsLintCommand(flags, io.out);
  },
});
