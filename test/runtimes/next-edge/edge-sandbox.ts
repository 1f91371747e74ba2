import * as nodeAssert from 'node:assert';
import * as nodeAsyncHooks from 'node:async_hooks';
import * as nodeBuffer from 'node:buffer';
import * as nodeEvents from 'node:events';
import { join } from 'node:path';
import * as nodeUtil from 'node:util';
import { EdgeRuntime } from 'edge-runtime';
import { build, type Metafile } from 'esbuild';

const pick = (from: object, names: string[]) =>
  Object.fromEntries(names.map((n) => [n, (from as Record<string, unknown>)[n]]));

// The Node modules Next's edge runtime provides, and only the exports it passes on
// (next/dist/server/web/sandbox/context.js, NativeModuleMap; next 16.4). Any other `node:` import
// fails there, as it fails here.
const NATIVE_MODULES: Record<string, object> = {
  'node:buffer': pick(nodeBuffer, [
    'constants',
    'kMaxLength',
    'kStringMaxLength',
    'Buffer',
    'SlowBuffer',
  ]),
  'node:events': pick(nodeEvents, [
    'EventEmitter',
    'captureRejectionSymbol',
    'defaultMaxListeners',
    'errorMonitor',
    'listenerCount',
    'on',
    'once',
  ]),
  'node:async_hooks': pick(nodeAsyncHooks, ['AsyncLocalStorage', 'AsyncResource']),
  'node:assert': pick(nodeAssert, [
    'AssertionError',
    'deepEqual',
    'deepStrictEqual',
    'doesNotMatch',
    'doesNotReject',
    'doesNotThrow',
    'equal',
    'fail',
    'ifError',
    'match',
    'notDeepEqual',
    'notDeepStrictEqual',
    'notEqual',
    'notStrictEqual',
    'ok',
    'rejects',
    'strict',
    'strictEqual',
    'throws',
  ]),
  'node:util': pick(nodeUtil, [
    '_extend',
    'callbackify',
    'format',
    'inherits',
    'promisify',
    'types',
  ]),
};

/** A route module bundled as Next's edge build does, and the `node:` modules it loads. */
export interface EdgeBundle {
  code: string;
  nodeImports: string[];
  metafile: Metafile;
}

/**
 * Bundles a route module for the edge runtime as Next's build resolves it: route handlers are in
 * the React Server layer, with the `react-server`, `edge-light`, `worker` and `browser`
 * conditions and Next's server-layer aliases; `node:` built-ins stay imports the runtime answers
 * (or refuses). `orgkit` resolves to the built package, as in an app.
 */
export async function bundleEdgeRoute(entry: string): Promise<EdgeBundle> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: join(import.meta.dirname, '../../..'),
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__route',
    platform: 'neutral',
    conditions: ['react-server', 'edge-light', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['node:*'],
    // Next's aliases for the server layer (next/dist/build/create-compiler-aliases.js).
    alias: {
      'next/navigation': 'next/dist/api/navigation.react-server.js',
      'next/headers': 'next/dist/api/headers.js',
    },
    define: { 'process.env.NODE_ENV': '"production"', 'process.env.NEXT_RUNTIME': '"edge"' },
    metafile: true,
    logLevel: 'error',
  });
  const code = result.outputFiles[0]!.text;
  // What the bundle still loads at run time (esbuild keeps an external import as `__require`).
  const nodeImports = new Set(
    [...code.matchAll(/__require\("(node:[\w/]+)"\)/g)].map((m) => m[1]!),
  );
  return {
    code,
    nodeImports: [...nodeImports].sort(),
    metafile: result.metafile,
  };
}

type RouteHandler = (request: Request, context: unknown) => Promise<Response>;

/** A route module loaded in the edge runtime: its exports, and a way to call them. */
export interface EdgeRoute {
  runtime: EdgeRuntime;
  exports: Record<string, unknown>;
  /** Calls `method`'s handler with a Request made inside the runtime. */
  call(
    method: string,
    url: string,
    init?: { headers?: Record<string, string> },
  ): Promise<{
    status: number;
    body: unknown;
  }>;
}

/**
 * Evaluates a bundle in `edge-runtime`'s EdgeRuntime (the one Next runs edge routes in under
 * `next dev` / `next start`), extended as Next extends it: `process.env` only, the native modules
 * above through `require`, and `AsyncLocalStorage` as a global.
 */
export function loadEdgeRoute(code: string, env: Record<string, string>): EdgeRoute {
  const runtime = new EdgeRuntime({
    extend: (context) => {
      Object.assign(context, {
        process: { env: { ...env, NEXT_RUNTIME: 'edge' } },
        AsyncLocalStorage: nodeAsyncHooks.AsyncLocalStorage,
      });
      Object.defineProperty(context, 'require', {
        enumerable: false,
        value: (id: string) => {
          const found = NATIVE_MODULES[id];
          if (!found) throw new TypeError(`Native module not found: ${id}`);
          return found;
        },
      });
      return context;
    },
  });
  runtime.evaluate(code);
  const exports = runtime.evaluate('__route') as Record<string, unknown>;
  return {
    runtime,
    exports,
    async call(method, url, init = {}) {
      const handler = exports[method] as RouteHandler;
      const RequestInVm = runtime.evaluate('Request') as typeof Request;
      const response = await handler(new RequestInVm(url, { method, headers: init.headers }), {
        params: Promise.resolve({}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}
