// The size of a reference Cloudflare Worker (Hono + orgkit's core + drizzle + postgres.js) with
// and without orgkit (and on the full `createOrgkit`, for comparison), bundled as wrangler does
// (esbuild, `workerd` conditions, minified) and gzipped. `--check` fails when orgkit's share passes
// the budget in bench/worker-size/budget.json (CI runs it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { bundleWorker, workerDir as dir, type WorkerName } from './worker-size/bundle.js';

const KiB = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

async function bundle(name: WorkerName) {
  const { code, meta } = await bundleWorker(name);
  return { minified: code.length, gzip: gzipSync(code).length, meta };
}

// Bytes per package (orgkit's own code is `orgkit`).
function byPackage(meta: Metafile): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const output of Object.values(meta.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name =
        path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
        (path.includes('dist/') ? 'orgkit' : 'app');
      sizes[name] = (sizes[name] ?? 0) + input.bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(sizes).sort((a, b) => b[1] - a[1]));
}

const withOrgkit = await bundle('with-orgkit');
const withFull = await bundle('with-full-orgkit');
const without = await bundle('without-orgkit');
const share = {
  minified: withOrgkit.minified - without.minified,
  gzip: withOrgkit.gzip - without.gzip,
};
const report = {
  withOrgkit: { minifiedKiB: KiB(withOrgkit.minified), gzipKiB: KiB(withOrgkit.gzip) },
  withoutOrgkit: { minifiedKiB: KiB(without.minified), gzipKiB: KiB(without.gzip) },
  orgkitShare: { minifiedKiB: KiB(share.minified), gzipKiB: KiB(share.gzip) },
  // Not budgeted: the same Worker on `createOrgkit`, every capability in the bundle.
  fullOrgkitShare: {
    minifiedKiB: KiB(withFull.minified - without.minified),
    gzipKiB: KiB(withFull.gzip - without.gzip),
  },
  packagesKiB: Object.fromEntries(
    Object.entries(byPackage(withOrgkit.meta)).map(([name, bytes]) => [name, KiB(bytes)]),
  ),
};
console.log(JSON.stringify(report, null, 2));

const budgetFile = join(dir, 'budget.json');
const budget = JSON.parse(readFileSync(budgetFile, 'utf8')) as { orgkitShareGzipKiB: number };
if (process.argv.includes('--check') && report.orgkitShare.gzipKiB > budget.orgkitShareGzipKiB) {
  console.error(
    `orgkit's share of the reference Worker is ${report.orgkitShare.gzipKiB} KiB gzip, over the budget of ${budget.orgkitShareGzipKiB} KiB (bench/worker-size/budget.json)`,
  );
  process.exit(1);
}
