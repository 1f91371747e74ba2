// The runtime app under Bun's own server: `bun test/runtimes/servers/bun.ts`.
import { getConnInfo } from 'hono/bun';
import { createRuntimeApp } from '../app/app.js';
import { appConfigOf, type RuntimeServerEnv } from './env.js';

declare const Bun: {
  env: Record<string, string>;
  serve(options: { hostname: string; port: number; fetch: unknown }): { port: number };
};

const { app } = createRuntimeApp({
  ...appConfigOf(Bun.env as unknown as RuntimeServerEnv),
  getConnInfo,
});
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch });
console.log(`listening on ${server.port}`);
