// The runtime app under @hono/node-server, for comparison: `node --import tsx test/runtimes/servers/node.ts`.
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createRuntimeApp } from '../app/app.js';
import { appConfigOf, type RuntimeServerEnv } from './env.js';

const { app } = createRuntimeApp({
  ...appConfigOf(process.env as unknown as RuntimeServerEnv),
  getConnInfo,
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, ({ port }) =>
  console.log(`listening on ${port}`),
);
