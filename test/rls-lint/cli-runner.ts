// Runs `orgkit rls lint` the way bin.ts will once it routes the command: flags parsed, the
// command's exit code returned, an OrgkitError printed as `orgkit: code: message`.
import { parseArgs } from 'node:util';
import { rlsLintCommand } from '../../src/cli/commands/rls-lint.js';
import { isOrgkitError } from '../../src/errors/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { url: { type: 'string' }, json: { type: 'boolean' }, role: { type: 'string' } },
});
rlsLintCommand(values, (line) => console.log(line)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(isOrgkitError(error) ? `orgkit: ${error.code}: ${error.message}` : error);
    process.exit(1);
  },
);
