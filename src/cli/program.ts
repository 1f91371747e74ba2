import { inspect } from 'node:util';
import { Command, CommanderError, Option } from 'commander';
import { isOrgkitError } from '../errors/index.js';
import type { CommandIo } from './commands/audit-shared.js';
import type { CommandDefinition, FlagSpec } from './define-command.js';
import { isUsageError } from './usage-error.js';

/** Exit codes of every command: a script can tell "called wrong" from "failed". */
export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

const ROOT_HELP_AFTER = `
Run "orgkit <command> --help" for its flags, e.g. "orgkit audit verify --help".

Environment:
  DATABASE_URL  the database without --url (else embedded PGlite in ./.orgkit)
  ORGKIT_AUDIT_CHECKPOINT_KEY
                signs new audit checkpoints; when set, verify accepts only
                checkpoints signed with it

Exit codes:
  0  done (the audit log is intact; rls lint found no error)
  1  failed, the audit log is broken, or rls lint found an error
  2  usage error: an unknown command or flag, a flag the command does not
     take, a missing required flag or a bad value`;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

// A message may quote a flag's value: its control characters are shown escaped, so an error is
// always one line and a value cannot forge lines of its own (or move the terminal's cursor).
function oneLine(message: string): string {
  return message.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What the command line is built from: groups (`audit`) and the commands in them. */
export interface CommandLine {
  /** Each group's one-line description, by name. */
  groups: Readonly<Record<string, string>>;
  /** In the order help lists them. */
  commands: readonly CommandDefinition[];
}

function flagOption(name: string, spec: FlagSpec): Option {
  const option = new Option(
    spec.value ? `--${name} <${spec.value}>` : `--${name}`,
    spec.description,
  );
  if (spec.choices) option.choices(spec.choices);
  if (spec.required) option.makeOptionMandatory();
  return option;
}

// Required flags in the usage line, since commander's default shows only `[options]`.
function usageOf(definition: CommandDefinition): string {
  const required = Object.entries(definition.flags)
    .filter(([, spec]) => spec.required)
    .map(([name, spec]) => `--${name} <${spec.choices?.join('|') ?? spec.value}>`);
  return [...required, '[options]'].join(' ');
}

function describe(definition: CommandDefinition): string {
  const { exitCodes } = definition;
  return [
    definition.summary,
    definition.details,
    `Exit codes: 0 ${exitCodes[0]}; 1 ${exitCodes[1]}; 2 usage error.`,
  ]
    .filter((paragraph) => paragraph !== undefined)
    .join('\n\n');
}

/**
 * The commander program for `line`. `run` results land in `onExit`: commander ignores what an
 * action returns.
 */
export function createProgram(
  line: CommandLine,
  io: CommandIo,
  onExit: (code: number) => void,
): Command {
  const program = new Command('orgkit')
    .description('orgkit: WorkOS sessions, hybrid roles and Postgres data for multi-tenant apps')
    .addHelpText('after', ROOT_HELP_AFTER)
    // Thrown, never process.exit: runCommandLine decides the exit code and prints the message.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
      outputError: () => {},
    });
  const groups = new Map<string, Command>();
  for (const definition of line.commands) {
    const [first, second] = definition.path;
    let parent = program;
    if (second !== undefined) {
      let group = groups.get(first);
      if (!group) {
        const description = line.groups[first];
        if (description === undefined) throw new Error(`orgkit CLI: no group "${first}"`);
        group = program.command(first).description(description);
        groups.set(first, group);
      }
      parent = group;
    }
    // `.command()` copies the parent's exit override and output settings.
    const command = parent
      .command(second ?? first)
      .summary(definition.summary)
      .description(describe(definition))
      .usage(usageOf(definition))
      .action(async (flags: Parameters<typeof definition.run>[0]) => {
        onExit(await definition.run(flags, io));
      });
    for (const [name, spec] of Object.entries(definition.flags)) {
      command.addOption(flagOption(name, spec));
    }
  }
  return program;
}

// The command a mistake belongs to: the longest run of leading words that names one.
function helpFor(line: CommandLine, argv: readonly string[]): string {
  const words: string[] = [];
  for (const word of argv.slice(0, 2)) {
    if (word.startsWith('-')) break;
    words.push(word);
  }
  const names = new Set(line.commands.flatMap((d) => [d.path.join(' '), d.path[0]]));
  for (let n = words.length; n > 0; n--) {
    const candidate = words.slice(0, n).join(' ');
    if (names.has(candidate)) return `orgkit ${candidate} --help`;
  }
  return 'orgkit --help';
}

/**
 * Parses `argv` (without `node` and the script), runs the command it names, and returns the exit
 * code: 0 done, 1 failed, 2 usage error. An `OrgkitError` is printed as `orgkit: code: message`;
 * a stack is printed only for what no command expected (a bug).
 */
export async function runCommandLine(
  line: CommandLine,
  argv: readonly string[],
  io: CommandIo,
): Promise<number> {
  let exitCode: number = EXIT.done;
  const usage = (message: string, code = 'invalid_input') => {
    io.err(`orgkit: ${code}: ${oneLine(message)}`);
    io.err(`run "${helpFor(line, argv)}" for usage`);
    return EXIT.usage;
  };
  try {
    const program = createProgram(line, io, (code) => {
      exitCode = code;
    });
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and `orgkit help` exit 0; help shown because a command was missing is a usage error.
      if (error.exitCode === 0) return EXIT.done;
      if (error.code === 'commander.help') return EXIT.usage;
      // One line: commander's "error: " prefix dropped, its "(Did you mean …?)" kept.
      return usage(error.message.replace(/^error: /, '').replaceAll('\n', ' '));
    }
    if (isOrgkitError(error)) {
      if (isUsageError(error)) return usage(error.message, error.code);
      io.err(`orgkit: ${error.code}: ${oneLine(error.message)}`);
      return EXIT.failed;
    }
    io.err(inspect(error));
    return EXIT.failed;
  }
}
