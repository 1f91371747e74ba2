import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from './support/cli.js';

// The real bin as its own process: what a shell sees (exit status, stdout, stderr).
const cwd = mkdtempSync(join(tmpdir(), 'orgkit-cli-help-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('orgkit as a process', () => {
  it('prints help per command, refuses what a command does not take, and exits 2 without a command', async () => {
    const [bare, rootHelp, groupHelp, commandHelp, unknownFlag, otherCommandsFlag] =
      await Promise.all([
        runCli(cwd, []),
        runCli(cwd, ['--help']),
        runCli(cwd, ['rls', '--help']),
        runCli(cwd, ['audit', 'verify', '--help']),
        runCli(cwd, ['db', 'migrate', '--nope']),
        runCli(cwd, ['db', 'migrate', '--json']),
      ]);

    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toBe(rootHelp.stdout);
    expect(rootHelp.status).toBe(0);
    expect(rootHelp.stdout).toMatch(/^Usage: orgkit \[options\] \[command\]$/m);
    expect(rootHelp.stdout).toMatch(/^ {2}audit +the audit log/m);

    expect(groupHelp.status).toBe(0);
    expect(groupHelp.stdout).toMatch(/^ {2}generate \[options\] +print \(or write\)/m);
    expect(groupHelp.stdout).toMatch(/^ {2}lint \[options\] +check a live database/m);

    expect(commandHelp.status).toBe(0);
    expect(commandHelp.stderr).toBe('');
    expect(commandHelp.stdout).toMatch(/^Usage: orgkit audit verify \[options\]$/m);
    for (const flag of ['--url <URL>', '--org <ID>', '--checkpoint <FILE>', '--json']) {
      expect(commandHelp.stdout).toContain(flag);
    }

    for (const [run, flag] of [
      [unknownFlag, '--nope'],
      [otherCommandsFlag, '--json'],
    ] as const) {
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(
        `orgkit: invalid_input: unknown option '${flag}'\nrun "orgkit db migrate --help" for usage\n`,
      );
    }
    // Refused before running: db migrate would have created the embedded database here.
    expect(existsSync(join(cwd, '.orgkit'))).toBe(false);
  }, 60_000);
});

// Records every module the process resolves, written out when it exits.
const RECORD_IMPORTS = `
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => writeFileSync(process.env.ORGKIT_TEST_IMPORTS, [...seen].join('\\n')));
`;

describe('orgkit loads a command only when it runs', () => {
  it('help loads no command; db migrate loads its own, never the demo or the WorkOS emulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgkit-cli-imports-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const hook = join(dir, 'record-imports.mjs');
    writeFileSync(hook, RECORD_IMPORTS);
    async function importsOf(name: string, args: string[]) {
      const file = join(dir, `${name}.imports`);
      const run = await runCli(
        dir,
        args,
        { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}`, ORGKIT_TEST_IMPORTS: file },
        'source',
      );
      expect(run.status, run.stderr).toBe(0);
      return readFileSync(file, 'utf8').split('\n');
    }
    const [help, generate] = await Promise.all([
      importsOf('help', ['audit', 'export', '--help']),
      importsOf('generate', ['rls', 'generate', '--target', 'postgres']),
    ]);
    const migrate = await importsOf('migrate', ['db', 'migrate']);
    const commandsIn = (urls: string[]) =>
      urls.filter((url) => url.includes('/src/cli/commands/')).map((url) => url.split('/').at(-1));

    expect(commandsIn(help)).toEqual([]);
    expect(help.filter((url) => url.includes('/src/db/'))).toEqual([]);
    expect(commandsIn(generate)).toEqual(['rls-generate.ts']);
    expect(commandsIn(migrate)).toEqual(['db-migrate.ts']);
    expect(migrate.filter((url) => /testing\/emulator|node_modules\/workos\//.test(url))).toEqual(
      [],
    );
  }, 120_000);
});
