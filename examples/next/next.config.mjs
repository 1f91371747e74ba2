import { fileURLToPath } from 'node:url';

// The repository root: npm workspaces hoist node_modules there, and Turbopack resolves from it.
const root = fileURLToPath(new URL('../..', import.meta.url));

/** @type {import('next').NextConfig} */
export default {
  // The browser test builds into `.next/e2e`, so it neither disturbs nor is disturbed by a
  // development server or a build of your own.
  distDir: process.env.CLINIC_NEXT_DIST_DIR || '.next',
  // No serverExternalPackages or transpilePackages: the clinic (PGlite, node-postgres, the
  // emulator) runs in src/server.ts, outside the bundles, which import only its types.
  turbopack: { root },
  outputFileTracingRoot: root,
  poweredByHeader: false,
  // The development request log prints whole URLs: not AuthKit's callback, whose query carries
  // the authorization code and the sealed sign-in state.
  logging: { incomingRequests: { ignore: [/\/auth\/callback/] } },
  // `tsc -p examples/next` checks the types (the repository's typecheck); the build skips it.
  typescript: { ignoreBuildErrors: true },
};
