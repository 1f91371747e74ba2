// The runtime app under Deno's own server: `deno run -A test/runtimes/servers/deno.ts`.
import { getConnInfo } from 'hono/deno';
import { createRuntimeApp } from '../app/app.js';
import { appConfigOf, type RuntimeServerEnv } from './env.js';

declare const Deno: {
  env: { toObject(): Record<string, string> };
  serve(
    options: { hostname: string; port: number; onListen(addr: { port: number }): void },
    handler: unknown,
  ): unknown;
};

const { app } = createRuntimeApp({
  ...appConfigOf(Deno.env.toObject() as unknown as RuntimeServerEnv),
  getConnInfo,
});
Deno.serve(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.log(`listening on ${port}`),
  },
  app.fetch,
);
