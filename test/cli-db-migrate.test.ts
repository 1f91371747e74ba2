import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs } from './support/cli-bin.js';

const cwd = mkdtempSync(join(tmpdir(), 'orgkit-cli-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function orgkit(...args: string[]) {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return spawnSync(process.execPath, cliArgs(...args), {
    cwd,
    env,
    encoding: 'utf8',
  });
}

describe('orgkit db migrate', () => {
  it('applies the migrations to embedded PGlite in ./.orgkit, and is safe to run twice', () => {
    const first = orgkit('db', 'migrate');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('applied  0000_init');
    const second = orgkit('db', 'migrate');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('up to date');
  });

  it('prints a coded error without a stack, and never the password, when the server is unreachable', () => {
    const result = orgkit('db', 'migrate', '--url', 'postgres://u:s3cret@127.0.0.1:1/nowhere');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^orgkit: upstream_unavailable: cannot connect to postgres:\/\/u:\*\*\*@/,
    );
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown command with usage and exit code 2', () => {
    const result = orgkit('frobnicate');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("orgkit: invalid_input: unknown command 'frobnicate'");
  });
});
