import { describe, expect, it } from 'vitest';
import type { CommandDefinition, FlagSpec } from '../src/cli/define-command.js';
import { type CommandLine, runCommandLine } from '../src/cli/program.js';
import { ORGKIT_COMMAND_LINE } from '../src/cli/registry.js';
import { usageError } from '../src/cli/usage-error.js';
import { OrgkitError } from '../src/errors/index.js';

const COMMANDS = ORGKIT_COMMAND_LINE.commands;

/** The real command line, with every `run` replaced by a recorder: parsing is what is tested. */
function recording(line: CommandLine = ORGKIT_COMMAND_LINE) {
  const runs: { command: string; flags: Record<string, unknown> }[] = [];
  const recorded: CommandLine = {
    groups: line.groups,
    commands: line.commands.map((definition) => ({
      ...definition,
      run: async (flags: Record<string, unknown>) => {
        runs.push({ command: definition.path.join(' '), flags: { ...flags } });
        return 0;
      },
    })),
  };
  return { line: recorded, runs };
}

async function run(line: CommandLine, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCommandLine(line, argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { status, out: out.join('\n'), err: err.join('\n'), errLines: err };
}

const camelCase = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

// A value the flag accepts: its first choice, or a word.
const valueFor = (spec: FlagSpec) => spec.choices?.[0] ?? 'value-1';

function argsFor(flags: Record<string, FlagSpec>): string[] {
  return Object.entries(flags).flatMap(([name, spec]) =>
    spec.value ? [`--${name}`, valueFor(spec)] : [`--${name}`],
  );
}

const requiredOf = (definition: CommandDefinition) =>
  Object.fromEntries(Object.entries(definition.flags).filter(([, spec]) => spec.required));

// Help wraps long lines at the terminal's width.
const squash = (text: string) => text.replace(/\s+/g, ' ');

const name = (definition: CommandDefinition) => definition.path.join(' ');

describe('orgkit command line parsing', () => {
  it.each(COMMANDS.map((d) => [name(d), d] as const))(
    '%s gets every flag it takes, camelCased, and nothing else',
    async (_, definition) => {
      const { line, runs } = recording();
      const result = await run(line, ...definition.path, ...argsFor(definition.flags));
      expect(result, result.err).toMatchObject({ status: 0, err: '' });
      const expected = Object.fromEntries(
        Object.entries(definition.flags).map(([flag, spec]) => [
          camelCase(flag),
          spec.value ? valueFor(spec) : true,
        ]),
      );
      expect(runs).toEqual([{ command: name(definition), flags: expected }]);
    },
  );

  it.each(COMMANDS.map((d) => [name(d), d] as const))(
    '%s refuses, with exit code 2 and before running, every flag only other commands take',
    async (_, definition) => {
      const foreign = new Map<string, FlagSpec>();
      for (const other of COMMANDS) {
        for (const [flag, spec] of Object.entries(other.flags)) {
          if (!(flag in definition.flags)) foreign.set(flag, spec);
        }
      }
      const { line, runs } = recording();
      for (const [flag, spec] of foreign) {
        const extra = spec.value ? [`--${flag}`, valueFor(spec)] : [`--${flag}`];
        const args = [...definition.path, ...argsFor(requiredOf(definition)), ...extra];
        const result = await run(line, ...args);
        // Commander adds "(Did you mean --x?)" when a flag of this command is spelled alike.
        expect({ args, status: result.status, err: result.errLines }).toEqual({
          args,
          status: 2,
          err: [
            expect.stringMatching(
              new RegExp(
                `^orgkit: invalid_input: unknown option '--${flag}'( \\(Did you mean --[a-z-]+\\?\\))?$`,
              ),
            ),
            `run "orgkit ${name(definition)} --help" for usage`,
          ],
        });
      }
      expect(runs).toEqual([]);
    },
  );

  it.each(
    COMMANDS.flatMap((d) => Object.keys(requiredOf(d)).map((flag) => [name(d), flag, d] as const)),
  )('%s without --%s exits 2 naming the flag, before running', async (_, flag, definition) => {
    const { line, runs } = recording();
    const { [flag]: _missing, ...rest } = requiredOf(definition);
    const result = await run(line, ...definition.path, ...argsFor(rest));
    expect(result.status).toBe(2);
    expect(result.errLines[0]).toMatch(
      new RegExp(`^orgkit: invalid_input: required option '--${flag} <\\w+>' not specified$`),
    );
    expect(runs).toEqual([]);
  });

  it.each(
    COMMANDS.flatMap((d) =>
      Object.entries(d.flags)
        .filter(([, spec]) => spec.choices)
        .map(([flag]) => [name(d), flag, d] as const),
    ),
  )('%s --%s refuses a value outside its choices', async (_, flag, definition) => {
    const { line, runs } = recording();
    const args = [...definition.path, ...argsFor({ ...requiredOf(definition) }), `--${flag}`, 'x'];
    const result = await run(line, ...args);
    expect(result.status).toBe(2);
    expect(result.errLines[0]).toContain(`argument 'x' is invalid. Allowed choices are`);
    expect(runs).toEqual([]);
  });

  it('a flag without its value, an unknown or misspelled flag, an extra word: exit 2', async () => {
    const { line, runs } = recording();
    const cases: [string[], string, string][] = [
      [['db', 'migrate', '--url'], "option '--url <URL>' argument missing", 'db migrate'],
      [['audit', 'verify', '--orgg', 'x'], "unknown option '--orgg'", 'audit verify'],
      [['db', 'migrate', 'now'], "too many arguments for 'migrate'", 'db migrate'],
      [['frobnicate'], "unknown command 'frobnicate'", ''],
      [['audit', 'veryfy'], "unknown command 'veryfy'", 'audit'],
      [['--nope'], "unknown option '--nope'", ''],
    ];
    for (const [args, message, help] of cases) {
      const result = await run(line, ...args);
      expect({
        args,
        status: result.status,
        first: result.errLines[0],
        last: result.errLines.at(-1),
      }).toEqual({
        args,
        status: 2,
        first: expect.stringMatching(new RegExp(`^orgkit: invalid_input: ${message}`)),
        last: `run "orgkit ${help ? `${help} ` : ''}--help" for usage`,
      });
    }
    // commander suggests the flag or command that was probably meant, on the same line
    expect((await run(line, 'audit', 'verify', '--orgg', 'x')).errLines[0]).toContain(
      '(Did you mean --org?)',
    );
    expect((await run(line, 'audit', 'veryfy')).errLines[0]).toContain('(Did you mean verify?)');
    expect(runs).toEqual([]);
  });
});

describe('orgkit help', () => {
  it.each(COMMANDS.map((d) => [name(d), d] as const))(
    '%s --help prints its usage, summary, every flag and its exit codes, and exits 0',
    async (_, definition) => {
      const { line, runs } = recording();
      for (const help of ['--help', '-h']) {
        const result = await run(line, ...definition.path, help);
        expect(result.status).toBe(0);
        expect(result.err).toBe('');
        expect(result.out).toContain(`Usage: orgkit ${name(definition)} `);
        expect(squash(result.out)).toContain(definition.summary);
        for (const [flag, spec] of Object.entries(definition.flags)) {
          expect(result.out).toContain(spec.value ? `--${flag} <${spec.value}>` : `--${flag}`);
          // the usage line names each required flag
          if (spec.required) expect(result.out.split('\n')[0]).toContain(`--${flag} <`);
        }
        expect(squash(result.out)).toContain(
          `Exit codes: 0 ${definition.exitCodes[0]}; 1 ${definition.exitCodes[1]}; 2 usage error.`,
        );
      }
      expect(runs).toEqual([]);
    },
  );

  it('orgkit --help, and orgkit help, list every group and command with the exit codes', async () => {
    for (const args of [['--help'], ['help']]) {
      const result = await run(ORGKIT_COMMAND_LINE, ...args);
      expect(result.status).toBe(0);
      for (const group of Object.keys(ORGKIT_COMMAND_LINE.groups)) {
        expect(result.out).toMatch(new RegExp(`^  ${group} `, 'm'));
      }
      expect(result.out).toMatch(/^ {2}demo /m);
      expect(result.out).toContain('2  usage error');
    }
  });

  it('a group lists its commands on --help (exit 0), and without a command (exit 2)', async () => {
    for (const group of Object.keys(ORGKIT_COMMAND_LINE.groups)) {
      const asked = await run(ORGKIT_COMMAND_LINE, group, '--help');
      const missing = await run(ORGKIT_COMMAND_LINE, group);
      expect([asked.status, missing.status]).toEqual([0, 2]);
      expect(missing.err).toBe(asked.out);
      for (const definition of COMMANDS.filter((d) => d.path[0] === group)) {
        expect(asked.out).toMatch(new RegExp(`^  ${definition.path[1]} `, 'm'));
      }
    }
  });

  it('orgkit with no command prints the usage to stderr and exits 2', async () => {
    const bare = await run(ORGKIT_COMMAND_LINE);
    const asked = await run(ORGKIT_COMMAND_LINE, '--help');
    expect(bare.status).toBe(2);
    expect(bare.out).toBe('');
    expect(bare.err).toBe(asked.out);
  });
});

describe('orgkit exit codes and errors', () => {
  function failing(error: unknown | (() => number)): CommandLine {
    return {
      groups: {},
      commands: [
        {
          path: ['try'],
          summary: 'fails',
          exitCodes: { 0: 'never', 1: 'always' },
          flags: {},
          run: async () => {
            if (typeof error === 'function') return (error as () => number)();
            throw error;
          },
        },
      ],
    };
  }

  it('passes the exit code a command returns', async () => {
    expect(
      (
        await run(
          failing(() => 1),
          'try',
        )
      ).status,
    ).toBe(1);
    expect(
      (
        await run(
          failing(() => 0),
          'try',
        )
      ).status,
    ).toBe(0);
  });

  it('an OrgkitError is one line with its code and exit 1; a usage error exits 2 with the command’s help', async () => {
    const failed = await run(failing(new OrgkitError('conflict', 'already there')), 'try');
    expect(failed).toMatchObject({ status: 1, err: 'orgkit: conflict: already there' });
    const misused = await run(failing(usageError('--x: required')), 'try');
    expect(misused).toMatchObject({
      status: 2,
      err: 'orgkit: invalid_input: --x: required\nrun "orgkit try --help" for usage',
    });
  });

  it('anything else is a bug: exit 1 with its stack', async () => {
    const result = await run(failing(new TypeError('undefined is not a function')), 'try');
    expect(result.status).toBe(1);
    expect(result.err).toContain('TypeError: undefined is not a function');
    expect(result.err).toMatch(/\n\s+at /);
  });
});

describe('adding a command', () => {
  const importAuth0: CommandDefinition = {
    path: ['import', 'auth0'],
    summary: 'move users from Auth0 to WorkOS',
    exitCodes: { 0: 'every valid record migrated', 1: 'some records were bad' },
    flags: { input: { value: 'FILE', required: true, description: 'the export' } },
    run: async () => 0,
  };

  it('is a definition and its group: it gets help and parsing like the others', async () => {
    const line: CommandLine = {
      groups: { ...ORGKIT_COMMAND_LINE.groups, import: 'Auth0 to WorkOS' },
      commands: [...COMMANDS, importAuth0],
    };
    const { line: recorded, runs } = recording(line);
    expect((await run(recorded, '--help')).out).toMatch(/^ {2}import +Auth0 to WorkOS$/m);
    expect((await run(recorded, 'import', 'auth0', '--help')).out).toContain(
      'Usage: orgkit import auth0 --input <FILE> [options]',
    );
    expect((await run(recorded, 'import', 'auth0')).status).toBe(2);
    expect((await run(recorded, 'import', 'auth0', '--input', 'users.csv')).status).toBe(0);
    expect(runs).toEqual([{ command: 'import auth0', flags: { input: 'users.csv' } }]);
  });

  it('in a group nobody declared is a bug found at start, whatever the command line', async () => {
    const line: CommandLine = { ...ORGKIT_COMMAND_LINE, commands: [...COMMANDS, importAuth0] };
    const result = await run(line, '--help');
    expect(result.status).toBe(1);
    expect(result.err).toContain('orgkit CLI: no group "import"');
  });
});
