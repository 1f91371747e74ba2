import { defineCommand } from '../define-command.js';
import { PERMISSIVE_FLAG, RLS_CONFIG_FLAG } from './shared-flags.js';

export const rlsGenerate = defineCommand({
  path: ['rls', 'generate'],
  summary: "print (or write) row-level-security SQL for a model, or for orgkit's own tables",
  details: "Without --config, the SQL for orgkit's own tables (the default model).",
  exitCodes: { 0: 'written', 1: 'the model is invalid or cannot be loaded, or failed' },
  flags: {
    target: {
      value: 'TARGET',
      choices: ['postgres', 'neon', 'supabase'],
      required: true,
      description: "where the policies read the token's claims",
    },
    config: RLS_CONFIG_FLAG,
    out: { value: 'FILE', description: 'write to FILE (default: stdout)' },
    schema: { value: 'S', description: 'the schema of the tables (default: public)' },
    role: { value: 'R', description: 'the request role (default: authenticated)' },
    permissive: PERMISSIVE_FLAG,
  },
  async run(flags, io) {
    const { rlsGenerateCommand } = await import('../commands/rls-generate.js');
    return rlsGenerateCommand(flags, io.out);
  },
});
