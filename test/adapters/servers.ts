import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { AdapterHarness } from './contract.js';

/** A harness over a real HTTP server on an ephemeral port. */
export interface ServedApp extends AdapterHarness {
  /** `http://127.0.0.1:PORT` */
  base: string;
}

function close(server: ReturnType<typeof createServer>) {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Serves a Node request listener (an Express app); `build` gets the base URL first, because a
 * sign-in callback URL must name the port.
 */
export async function serveNode(build: (base: string) => RequestListener): Promise<ServedApp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('request', build(base));
  return {
    base,
    request: (path, init) => fetch(`${base}${path}`, init),
    close: () => close(server),
  };
}

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

/** Serves a Hono app through @hono/node-server, the way it runs on Node. */
export async function serveHono(build: (base: string) => { fetch: Fetch }): Promise<ServedApp> {
  let app: { fetch: Fetch } | undefined;
  const server = await new Promise<ReturnType<typeof createServer>>((resolve) => {
    const s = serve(
      { fetch: (request, env) => app!.fetch(request, env), port: 0, hostname: '127.0.0.1' },
      () => resolve(s as ReturnType<typeof createServer>),
    );
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = build(base);
  return {
    base,
    request: (path, init) => fetch(`${base}${path}`, init),
    close: () => close(server),
  };
}
