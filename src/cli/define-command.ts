import type { CommandIo } from './commands/audit-shared.js';

/** One `--flag` of a command. */
export interface FlagSpec {
  /** What the value is called in help (`URL`, `FILE`); a flag without one is a switch. */
  value?: string;
  description: string;
  /** Refused, with exit code 2, when missing. */
  required?: boolean;
  /** The only values accepted; anything else exits 2. */
  choices?: readonly string[];
}

/** A command's flags by name, without the leading `--` (`'retention-days'`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type FlagValue<F extends FlagSpec> = F extends { value: string } ? string : boolean;

/** The values a command's `run` gets: camelCase names (`retentionDays`), as commander gives them. */
export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F & string as F[K] extends { required: true } ? CamelCase<K> : never]: FlagValue<
    F[K]
  >;
} & {
  [K in keyof F & string as F[K] extends { required: true } ? never : CamelCase<K>]?: FlagValue<
    F[K]
  >;
};

/**
 * One command of the `orgkit` CLI. The definition holds only what parsing and help need; `run`
 * imports the implementation when the command runs, so `db migrate` never loads the demo's
 * WorkOS emulator and a mistake in the command line costs no import of the library.
 */
export interface CommandDefinition<F extends FlagSpecs = FlagSpecs> {
  /** The words that name it: `['demo']`, or a group and a command: `['audit', 'verify']`. */
  path: readonly [string] | readonly [string, string];
  /** One line, shown in the list of commands. */
  summary: string;
  /** More for the command's own `--help`: what it does, in one paragraph. */
  details?: string;
  /** What exit codes 0 and 1 mean for this command (2 is always a usage error). */
  exitCodes: { 0: string; 1: string };
  flags: F;
  /** Runs the command; resolves to the exit code (0 done, 1 failed). */
  run(flags: FlagValues<F>, io: CommandIo): Promise<number>;
}

/** Types a definition's `run` by its flags; returns the definition unchanged. */
export function defineCommand<const F extends FlagSpecs>(
  definition: CommandDefinition<F>,
): CommandDefinition<F> {
  return definition;
}
