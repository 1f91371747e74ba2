import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../src/testing/database.js';

const run = promisify(execFile);
const tsx = join(import.meta.dirname, '../../node_modules/.bin/tsx');
const openInAnotherProcess = async (dir: string) =>
  JSON.parse(
    (await run(tsx, [join(import.meta.dirname, 'fixtures/open-test-database.ts'), dir])).stdout,
  ) as { users: number };

// A test runner isolates each file, so the migrated PGlite template is shared through a folder.
describe('createTestDatabase({ templateCacheDir }) on PGlite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orgkit-template-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const templates = async () => (await readdir(dir)).filter((name) => name.endsWith('.tar'));

  it('writes the migrated template once and still gives each call a database of its own', async () => {
    const first = await createTestDatabase({ templateCacheDir: dir });
    const second = await createTestDatabase({ templateCacheDir: dir });
    await first.db.execute(
      sql`insert into users (workos_user_id, email) values ('user_cache_1', 'cache@example.com')`,
    );
    const counted = async (database: typeof first) =>
      (await database.db.execute<{ n: number }>(sql`select count(*)::int as n from users`)).rows[0]
        ?.n;
    expect(await counted(first)).toBe(1);
    expect(await counted(second)).toBe(0);
    await Promise.all([first.close(), second.close()]);
    expect(await templates()).toHaveLength(1);
  });

  it('is read, not rebuilt, by another process', async () => {
    const [template] = await templates();
    const before = await stat(join(dir, template!));
    expect(await openInAnotherProcess(dir)).toEqual({ users: 0 });
    const after = await stat(join(dir, template!));
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('is made again when the cached file does not load', async () => {
    const [template] = await templates();
    await writeFile(join(dir, template!), 'not a data directory');
    expect(await openInAnotherProcess(dir)).toEqual({ users: 0 });
    expect((await stat(join(dir, template!))).size).toBeGreaterThan(1_000_000);
  });
});
