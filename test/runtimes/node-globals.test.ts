import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

// The entry points an app on Workers, Deno, Bun or an edge runtime imports (the CLI, migration
// and test helpers run on Node only).
const RUNTIME_ENTRIES = ['index', 'drizzle', 'rls', 'hono', 'next'];

/**
 * Bundles the built entry point as a Worker build would, with every global `Buffer` and
 * `process` replaced by a marker: esbuild's `define` replaces only free references, so an
 * explicitly imported `Buffer` or a `globalThis.process` read stays untouched.
 */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(root, 'dist', `${entry}.js`)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    // orgkit's own code only: its dependencies are judged by their own runtime support.
    packages: 'external',
    external: ['node:*'],
    define: { Buffer: '__GLOBAL_BUFFER__', process: '__GLOBAL_PROCESS__' },
    logLevel: 'silent',
  });
  return result.outputFiles.map((f) => f.text).join('\n');
}

describe('the built library assumes no Node-only globals (Workers before nodejs_compat v2, edge runtimes)', () => {
  it.each(RUNTIME_ENTRIES)('dist/%s.js', async (entry) => {
    const code = await bundle(entry);
    expect(code.length).toBeGreaterThan(1000);
    expect(code.match(/__GLOBAL_BUFFER__[.\w]*/g) ?? []).toEqual([]);
    expect(code.match(/__GLOBAL_PROCESS__[.\w]*/g) ?? []).toEqual([]);
    // A timer is a number outside Node: `unref` is only ever called where it exists.
    expect(code.match(/\)\.unref\(\)/g) ?? []).toEqual([]);
    // Built-in modules keep their `node:` prefix (Workers, Deno and Bun resolve them only so).
    const bare = /from\s*["'](crypto|buffer|net|async_hooks|http|events|stream|util)["']/g;
    expect(code.match(bare) ?? []).toEqual([]);
  });
});
