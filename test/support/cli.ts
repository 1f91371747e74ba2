import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type OpenedDatabase, openDatabase } from '../../src/cli/open-database.js';
import { cliArgs, cliSourceArgs } from './cli-bin.js';
import { PGLITE_TARGETED } from './databases.js';

/** What one run of the CLI did. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (the built `dist/cli/bin.js`, or its sources through tsx) in `cwd` as its
 * own process. Of the
 * environment orgkit reads, only what `env` gives reaches it: DATABASE_URL and the checkpoint key
 * of the test runner's own environment are removed.
 */
export function runCli(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  from: 'dist' | 'source' = 'dist',
) {
  const childEnv = { ...process.env };
  delete childEnv.DATABASE_URL;
  delete childEnv.ORGKIT_AUDIT_CHECKPOINT_KEY;
  for (const [name, value] of Object.entries(env)) if (value !== undefined) childEnv[name] = value;
  const argv = from === 'dist' ? cliArgs(...args) : cliSourceArgs(...args);
  const child = spawn(process.execPath, argv, { cwd, env: childEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A database the CLI and the test take turns on: never both at once (PGlite is one process). */
export interface CliTarget {
  /** A fresh working directory (embedded PGlite lives in its `.orgkit`). */
  cwd: string;
  /** What the CLI gets as DATABASE_URL; `undefined` for embedded PGlite. */
  databaseUrl: string | undefined;
  /** The schema the CLI works in: the first on its search path. */
  schema: string;
  open(): Promise<OpenedDatabase>;
  /** Drops the schema and removes the working directory. */
  close(): Promise<void>;
}

function workingDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'orgkit-cli-'));
}

async function pgliteTarget(): Promise<CliTarget> {
  const cwd = workingDirectory();
  return {
    cwd,
    databaseUrl: undefined,
    schema: 'public',
    open: () => openDatabase(undefined, join(cwd, '.orgkit', 'pglite')),
    close: async () => rmSync(cwd, { recursive: true, force: true }),
  };
}

// A private schema, reached by the CLI's own pool through the URL's `options` parameter.
async function postgresTarget(serverUrl: string): Promise<CliTarget> {
  const schema = `orgkit_cli_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const cwd = workingDirectory();
  return {
    cwd,
    databaseUrl: url.toString(),
    schema,
    open: () => openDatabase(url.toString()),
    close: async () => {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** Embedded PGlite (unless left out, see `PGLITE_TARGETED`), a private schema on the real server when DATABASE_URL is set. */
export const CLI_TARGETS: { name: string; make(): Promise<CliTarget> }[] = [
  ...(PGLITE_TARGETED ? [{ name: 'pglite', make: pgliteTarget }] : []),
  ...(process.env.DATABASE_URL
    ? [{ name: 'postgres', make: () => postgresTarget(process.env.DATABASE_URL!) }]
    : []),
];
