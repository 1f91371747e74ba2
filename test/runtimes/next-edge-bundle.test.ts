import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleEdgeRoute, loadEdgeRoute } from './next-edge/edge-sandbox.js';

// The Node modules Next's edge runtime provides; any other `node:` import fails there.
const EDGE_NODE_MODULES = [
  'node:assert',
  'node:async_hooks',
  'node:buffer',
  'node:events',
  'node:util',
];

// Runs without a database (next-edge.runtime.test.ts runs the route against PostgreSQL): a Next
// route handler with `runtime = 'edge'` using orgkit's core and `orgkit/next`, bundled as Next's
// edge build resolves it.
describe('orgkit/next in a route bundled for the edge runtime', () => {
  it('loads only the node: modules the edge runtime has (no node:crypto, no node:net)', async () => {
    const bundle = await bundleEdgeRoute(join(import.meta.dirname, 'next-edge/route.ts'));
    expect(bundle.nodeImports.length).toBeGreaterThan(0);
    expect(bundle.nodeImports.filter((m) => !EDGE_NODE_MODULES.includes(m))).toEqual([]);
    expect(bundle.code).not.toMatch(/["']node:(crypto|net)["']/);
  });

  it('evaluates in the edge runtime, its handlers exported', async () => {
    const bundle = await bundleEdgeRoute(join(import.meta.dirname, 'next-edge/route.ts'));
    const route = loadEdgeRoute(bundle.code, {
      ORGKIT_EDGE_DATABASE_URL: 'postgres://unused@127.0.0.1:1/none',
      ORGKIT_EDGE_JWKS_URL: 'http://127.0.0.1:1/jwks',
      ORGKIT_EDGE_ISSUER: 'http://127.0.0.1:1',
      ORGKIT_EDGE_WS_PROXY: '127.0.0.1:1',
      ORGKIT_EDGE_PG_OPTIONS: '',
    });
    expect(Object.keys(route.exports).sort()).toEqual(['GET', 'OPTIONS', 'POST', 'runtime']);
    // Signed out: refused before any database or JWKS is reached.
    expect(await route.call('GET', 'http://localhost/api/posts')).toMatchObject({ status: 401 });
  });

  it('the runtime refuses node:crypto, as Next does', async () => {
    const bundle = await bundleEdgeRoute(
      join(import.meta.dirname, 'next-edge/node-crypto-route.ts'),
    );
    expect(bundle.nodeImports).toEqual(['node:crypto']);
    expect(() => loadEdgeRoute(bundle.code, {})).toThrow('Native module not found: node:crypto');
  });
});
