import { fileURLToPath } from 'node:url';

// The repository root: npm workspaces hoist node_modules there, and Turbopack resolves from it.
const root = fileURLToPath(new URL('../..', import.meta.url));

/** @type {import('next').NextConfig} */
export default {
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
