// The edge route of test/runtimes/next-edge (orgkit's core, `orgkit/next`'s guards, Neon's
// WebSocket driver), built by Next's own bundler and served from Next's edge sandbox.
export { GET, OPTIONS, POST } from '../../../../../runtimes/next-edge/route';

export const runtime = 'edge';
