#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isOrgkitError } from '../errors/index.js';

const USAGE = `usage: orgkit <command>

  db migrate [--url URL]   apply orgkit's tables (embedded PGlite in ./.orgkit when no URL or DATABASE_URL)
  demo                     sign in through the WorkOS emulator and check roles, offline
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals.join(' ');
  const out = (line: string) => console.log(line);
  if (values.help || command === '') {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  switch (command) {
    // Commands load on demand: `db migrate` never pulls in the demo's WorkOS emulator.
    case 'db migrate': {
      const { dbMigrateCommand } = await import('./commands/db-migrate.js');
      await dbMigrateCommand({ url: values.url }, out);
      return 0;
    }
    case 'demo': {
      const { demoCommand } = await import('./commands/demo.js');
      return (await demoCommand(out)) ? 0 : 1;
    }
    default:
      console.error(`orgkit: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Expected failures print their code and message; a stack is only for real bugs.
    if (isOrgkitError(error)) console.error(`orgkit: ${error.code}: ${error.message}`);
    else if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`orgkit: ${error.message}\n\n${USAGE}`);
    } else console.error(error);
    process.exit(1);
  },
);
