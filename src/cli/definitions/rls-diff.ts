import { defineCommand } from '../define-command.js';
import { JSON_FLAG, PERMISSIVE_FLAG, RLS_CONFIG_FLAG, URL_FLAG } from './shared-flags.js';

export const rlsDiff = defineCommand({
  path: ['rls', 'diff'],
  summary: "compare a live database's row-level security with the model, and print the fix",
  details:
    "Finds missing, extra or changed policies, RLS or FORCE turned off, grants wider than generated, and the membership helper or audit trigger functions changed or granted again. Without --config, orgkit's own tables. Without --target, the target the schema's policies read claims with (auth.jwt: supabase, auth.session or auth.user_id: neon, request.jwt.claims: postgres). Needs a role that may create temporary tables; the real tables are only read.",
  exitCodes: { 0: 'the database matches the model', 1: 'drift found, or failed' },
  flags: {
    url: URL_FLAG,
    config: RLS_CONFIG_FLAG,
    target: {
      value: 'TARGET',
      choices: ['postgres', 'neon', 'supabase'],
      description: "where the policies read the token's claims (default: found in the database)",
    },
    schema: { value: 'S', description: 'the schema of the tables (default: public)' },
    role: { value: 'R', description: 'the request role (default: authenticated)' },
    permissive: PERMISSIVE_FLAG,
    json: JSON_FLAG,
    sql: { description: 'print only the SQL that brings the database back to the model' },
  },
  async run(flags, io) {
    const { rlsDiffCommand } = await import('../commands/rls-diff.js');
    return rlsDiffCommand(flags, io.out);
  },
});
