// Bundles the reference Worker (with-orgkit.ts, with-full-orgkit.ts, without-orgkit.ts) as wrangler does: esbuild,
// minified, one ESM file. `target: 'node'` bundles it for Node instead (postgres.js's Node build),
// the stand-in the start-up benchmark runs it in.
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

export const workerDir = import.meta.dirname;

export type WorkerName = 'with-orgkit' | 'with-full-orgkit' | 'without-orgkit';

export async function bundleWorker(
  name: WorkerName,
  target: 'workerd' | 'node' = 'workerd',
): Promise<{ code: Uint8Array; meta: Metafile }> {
  const result = await build({
    entryPoints: [join(workerDir, `${name}.ts`)],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    ...(target === 'workerd'
      ? {
          platform: 'neutral',
          conditions: ['workerd', 'worker', 'browser'],
          mainFields: ['browser', 'module', 'main'],
          external: ['node:*', 'cloudflare:*'],
        }
      : { platform: 'node', external: ['node:*'] }),
    metafile: true,
    logLevel: 'error',
  });
  return { code: result.outputFiles[0]!.contents, meta: result.metafile };
}
