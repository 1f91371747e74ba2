import { fileURLToPath } from 'node:url';

// The repository root, so Turbopack resolves node_modules there.
const root = fileURLToPath(new URL('../../..', import.meta.url));
// orgkit as a user installs it: the ESM build, made by the test from the current source.
const orgkit = process.env.ORGKIT_FIXTURE_PACKAGE;

/** @type {import('next').NextConfig} */
export default {
  // A directory per test run, so two runs in one working tree never share a build.
  distDir: process.env.ORGKIT_FIXTURE_DIST_DIR || '.next',
  turbopack: {
    root,
    resolveAlias: orgkit
      ? {
          orgkit: `${orgkit}/index.js`,
          'orgkit/next': `${orgkit}/next.js`,
          'orgkit/drizzle': `${orgkit}/drizzle.js`,
        }
      : {},
  },
  outputFileTracingRoot: root,
  // PGlite loads its wasm and data files relative to its own module.
  serverExternalPackages: ['@electric-sql/pglite'],
  // The test checks behaviour; `tsc -p test/adapters/next-app-fixture` checks the types.
  typescript: { ignoreBuildErrors: true },
};
