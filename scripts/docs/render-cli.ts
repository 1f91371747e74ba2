import { EXIT } from '../../src/cli/program.js';
import { ORGKIT_COMMAND_LINE } from '../../src/cli/registry.js';
import { escapeCell, GENERATED_NOTICE } from './markdown.js';

/** The CLI reference page: every command with its flags and exit codes, from the registry. */
export function renderCliReference(): string {
  const { groups, commands } = ORGKIT_COMMAND_LINE;
  const lines: string[] = [
    GENERATED_NOTICE,
    '# Command line',
    '',
    'The package installs one command, `orgkit` (`npx orgkit --help`). Commands that open a',
    'database use `--url URL`, else `DATABASE_URL`, else embedded PGlite in `./.orgkit`. A command',
    'refuses any flag it does not take. WorkOS settings come from `WORKOS_API_KEY`,',
    '`WORKOS_CLIENT_ID`, `WORKOS_API_HOSTNAME`, `WORKOS_API_PORT` and `WORKOS_API_HTTPS`;',
    '`ORGKIT_AUDIT_CHECKPOINT_KEY` signs audit checkpoints.',
    '',
    '## Exit codes',
    '',
    '| code | meaning |',
    '| --- | --- |',
    `| ${EXIT.done} | done (each command says what that means for it below) |`,
    `| ${EXIT.failed} | failed, printed as \`orgkit: <code>: <message>\` (a stack only for a bug); or what the command says below |`,
    `| ${EXIT.usage} | usage error: an unknown command or flag, a flag of another command, a missing required flag, a bad value |`,
    '',
    '`orgkit migrate clerk` also exits 130 when stopped by Ctrl-C.',
    '',
  ];
  for (const [group, summary] of [['', ''] as const, ...Object.entries(groups)]) {
    const inGroup = commands.filter((c) =>
      group === '' ? c.path.length === 1 : c.path[0] === group && c.path.length === 2,
    );
    if (inGroup.length === 0) continue;
    if (group !== '') lines.push(`## orgkit ${group}`, '', `${capitalize(summary)}.`, '');
    for (const command of inGroup) {
      const name = `orgkit ${command.path.join(' ')}`;
      lines.push(
        `${group === '' ? '##' : '###'} \`${name}\``,
        '',
        `${capitalize(command.summary)}.`,
      );
      if (command.details) lines.push('', command.details);
      lines.push('');
      const flags = Object.entries(command.flags);
      if (flags.length > 0) {
        lines.push('| flag | value | required | description |', '| --- | --- | --- | --- |');
        for (const [flag, spec] of flags) {
          const value = spec.choices ? spec.choices.join(' \\| ') : (spec.value ?? '');
          lines.push(
            `| \`--${flag}\` | ${escapeCell(value)} | ${spec.required ? 'yes' : ''} | ${escapeCell(spec.description)} |`,
          );
        }
        lines.push('');
      }
      lines.push(
        `Exit ${EXIT.done}: ${command.exitCodes[0]}. Exit ${EXIT.failed}: ${command.exitCodes[1]}.`,
        '',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
