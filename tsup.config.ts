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
    // Not a package entry point (createOrgkitCore is exported from `orgkit`): an entry of its own
    // gives the core's modules chunks of their own, so a bundle of `createOrgkitCore` drops the
    // chunks of the other capabilities, whose top-level zod schemas would otherwise come along.
    'internal/core': 'src/create-orgkit-core.ts',
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
