import { fileURLToPath } from 'node:url';

// The repository root: npm workspaces hoist node_modules there, and Turbopack resolves from it.
const root = fileURLToPath(new URL('../..', import.meta.url));

/** @type {import('next').NextConfig} */
export default {
  // The shared clinic is TypeScript source, as a workspace package usually is.
  transpilePackages: ['@orgkit-examples/clinic'],
  // Loaded by Node at run time, not bundled: PGlite finds its wasm and data files next to its own
  // module, and node-postgres has optional native parts.
  serverExternalPackages: ['@electric-sql/pglite', 'pg'],
  turbopack: { root },
  outputFileTracingRoot: root,
  poweredByHeader: false,
  // `tsc -p examples/next` checks the types (the repository's typecheck); the build skips it.
  typescript: { ignoreBuildErrors: true },
};
