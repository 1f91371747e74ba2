#!/usr/bin/env node
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { isOrgkitError } from '../errors/index.js';
import { isUsageError, usageError } from './usage-error.js';

const USAGE = `usage: orgkit <command> [flags]

  db migrate [--url URL]    apply orgkit's tables
  demo                      sign in through the WorkOS emulator and check roles, offline

  audit verify [--url URL] [--org ID] [--checkpoint FILE] [--json]
      recompute the audit hash chains (every chain, or one) and name the first broken link of
      each; with --checkpoint, also check that every chain still reaches the checkpoint's heads
  audit checkpoint [--url URL] [--out FILE]
      record the head of every chain, verify the chains up to it, and write it as JSON to a new
      FILE or stdout (signed with ORGKIT_AUDIT_CHECKPOINT_KEY when set); keep it outside the database
  audit export --org ID --format jsonl|csv [--from ISO] [--to ISO] [--out FILE] [--url URL]
      stream one organization's events, oldest first; --from inclusive, --to exclusive
      (2025-01-31 or 2025-01-31T09:00:00Z)
  audit purge --retention-days N [--url URL] [--json]
      remove events older than N days, whole chain prefixes only, after recording a purge
      checkpoint, so the chains still verify

  rls generate --target neon|supabase|postgres [--config FILE] [--out FILE] [--schema S] [--role R]
      print (or write) row-level-security SQL for the model in FILE (JSON, or a module whose
      default export is a model), or for orgkit's own tables without --config
  rls lint [--url URL] [--role R] [--json]
      check a live database for row-level-security mistakes; exit 1 on an error finding

  --url URL   a Postgres URL; default DATABASE_URL, else embedded PGlite in ./.orgkit
  --org none  the chain of events recorded without an organization
  ORGKIT_AUDIT_CHECKPOINT_KEY signs new checkpoints and is required to match on verify
  exit codes: 0 done (audit log intact), 1 failed or audit log broken, 2 usage error
`;

const FLAGS = {
  url: { type: 'string' },
  org: { type: 'string' },
  checkpoint: { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string' },
  'retention-days': { type: 'string' },
  target: { type: 'string' },
  config: { type: 'string' },
  schema: { type: 'string' },
  role: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

type Flag = Exclude<keyof typeof FLAGS, 'help'>;

// Which flags each command takes: one parse for all, then a flag meant for another command is
// refused instead of silently ignored.
const COMMANDS: Record<string, readonly Flag[]> = {
  'db migrate': ['url'],
  demo: [],
  'audit verify': ['url', 'org', 'checkpoint', 'json'],
  'audit checkpoint': ['url', 'out'],
  'audit export': ['url', 'org', 'from', 'to', 'format', 'out'],
  'audit purge': ['url', 'retention-days', 'json'],
  'rls generate': ['target', 'config', 'out', 'schema', 'role'],
  'rls lint': ['url', 'role', 'json'],
};

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: FLAGS,
  });
  const command = positionals.join(' ');
  const io = {
    out: (line: string) => console.log(line),
    err: (line: string) => console.error(line),
  };
  if (values.help || command === '') {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const allowed = COMMANDS[command];
  if (!allowed) {
    console.error(`orgkit: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  for (const name of Object.keys(values)) {
    if (!allowed.includes(name as Flag)) throw usageError(`${command} does not take --${name}`);
  }
  // Commands load on demand: `db migrate` never pulls in the demo's WorkOS emulator.
  switch (command) {
    case 'db migrate': {
      const { dbMigrateCommand } = await import('./commands/db-migrate.js');
      await dbMigrateCommand({ url: values.url }, io.out);
      return 0;
    }
    case 'demo': {
      const { demoCommand } = await import('./commands/demo.js');
      return (await demoCommand(io.out)) ? 0 : 1;
    }
    case 'audit verify': {
      const { auditVerifyCommand } = await import('./commands/audit-verify.js');
      return auditVerifyCommand(values, io);
    }
    case 'audit checkpoint': {
      const { auditCheckpointCommand } = await import('./commands/audit-checkpoint.js');
      return auditCheckpointCommand(values, io);
    }
    case 'audit export': {
      const { auditExportCommand } = await import('./commands/audit-export.js');
      return auditExportCommand(values, io);
    }
    case 'audit purge': {
      const { auditPurgeCommand } = await import('./commands/audit-purge.js');
      return auditPurgeCommand({ ...values, retentionDays: values['retention-days'] }, io);
    }
    case 'rls generate': {
      const { rlsGenerateCommand } = await import('./commands/rls-generate.js');
      return rlsGenerateCommand(values, io.out);
    }
    case 'rls lint': {
      const { rlsLintCommand } = await import('./commands/rls-lint.js');
      return rlsLintCommand(values, io.out);
    }
  }
  throw new Error(`orgkit: command "${command}" is listed but not routed`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Expected failures print their code and message; a stack is only for real bugs.
    // Exit code 2 for a command line that was wrong, 1 for anything that failed.
    if (isOrgkitError(error)) {
      console.error(`orgkit: ${error.code}: ${error.message}`);
      if (!isUsageError(error)) process.exit(1);
      console.error('run "orgkit --help" for usage');
      process.exit(2);
    }
    if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`orgkit: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
