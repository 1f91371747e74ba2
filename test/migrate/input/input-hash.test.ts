import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashInputFile } from '../../../src/migrate/index.js';

describe('hashInputFile', () => {
  it('is the SHA-256 of the bytes, a BOM and line endings included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orgkit-hash-'));
    const contents = ['', '\uFEFFid\r\nuser_1\r\n', 'id\nuser_1\n', 'x'.repeat(300_000)];
    const hashes: string[] = [];
    for (const [i, content] of contents.entries()) {
      const file = join(dir, `f${i}.csv`);
      await writeFile(file, content);
      const hash = await hashInputFile(file);
      expect(hash).toBe(createHash('sha256').update(content).digest('hex'));
      hashes.push(hash);
    }
    expect(hashes[0]).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new Set(hashes).size).toBe(contents.length);
  });

  it('refuses a missing file and a non-path', async () => {
    await expect(hashInputFile(join(tmpdir(), 'orgkit-no-such-file.csv'))).rejects.toMatchObject({
      code: 'invalid_input',
      reason: 'unreadable_input',
    });
    await expect(hashInputFile('')).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'hashInputFile: expected a file path',
    });
    await expect(hashInputFile(42 as never)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
