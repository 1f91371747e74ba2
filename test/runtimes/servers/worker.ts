// The runtime app as a Cloudflare Worker (wrangler's local workerd). One app, and so one orgkit
// instance, per isolate; each request opens its own postgres.js connection, closed after the
// response through `waitUntil`.
import { getConnInfo } from 'hono/cloudflare-workers';
import { createRuntimeApp } from '../app/app.js';
import { appConfigOf, type RuntimeServerEnv } from './env.js';

type App = ReturnType<typeof createRuntimeApp>['app'];
let app: App | undefined;

export default {
  fetch(request: Request, env: RuntimeServerEnv, ctx: unknown) {
    app ??= createRuntimeApp({
      ...appConfigOf(env),
      getConnInfo,
      afterResponse: (c, work) =>
        (c.executionCtx as { waitUntil(p: Promise<unknown>): void }).waitUntil(work),
    }).app;
    return app.fetch(request, env, ctx as never);
  },
};
