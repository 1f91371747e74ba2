import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import tsupConfig from '../tsup.config.js';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
};
const entries = (tsupConfig as { entry: Record<string, string> }).entry;
const subpaths = Object.keys(pkg.exports).filter((p) => p !== './package.json');
const DESIGNED = [
  '.',
  './drizzle',
  './rls',
  './next',
  './express',
  './hono',
  './migrate',
  './testing',
];

describe('package entry points', () => {
  it('exports exactly the entry points of the design brief', () => {
    expect(subpaths.sort()).toEqual([...DESIGNED].sort());
  });

  it.each(subpaths)('%s is built by tsup and its module loads', async (subpath) => {
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    const source = entries[name];
    expect(source, `tsup entry for ${subpath}`).toBeTypeOf('string');
    await expect(import(join(root, source!))).resolves.toBeTypeOf('object');
  });

  it('no runtime name is exported by two entry points', async () => {
    const seen = new Map<string, string>();
    for (const subpath of subpaths) {
      const name = subpath === '.' ? 'index' : subpath.slice(2);
      const mod = (await import(join(root, entries[name]!))) as Record<string, unknown>;
      for (const exported of Object.keys(mod)) {
        expect(seen.get(exported), `${exported} in ${subpath}`).toBeUndefined();
        seen.set(exported, subpath);
      }
    }
  });
});
