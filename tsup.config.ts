import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    drizzle: 'src/drizzle.ts',
    rls: 'src/rls/index.ts',
    migrate: 'src/migrate/index.ts',
    testing: 'src/testing/index.ts',
    next: 'src/adapters/next/index.ts',
    express: 'src/adapters/express/index.ts',
    hono: 'src/adapters/hono/index.ts',
    'cli/bin': 'src/cli/bin.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  splitting: true,
  treeshake: true,
  // ESM-only packages: bundled, so the CJS build does not require() them.
  // Keep `node:` on built-in imports: Workers (nodejs_compat), Deno and Bun resolve them only so.
  removeNodeProtocol: false,
  noExternal: ['p-limit', 'p-throttle', 'yocto-queue'],
  // The instrumentation scope version of orgkit's tracer and meter (src/telemetry/version.ts).
  define: { __ORGKIT_VERSION__: JSON.stringify(version) },
});
