// Start-up of the reference Worker (bench/worker-size: Hono + orgkit's core + drizzle +
// postgres.js) against the same Worker without orgkit, the floor. Each sample is a fresh
// process, as a cold isolate is:
// - Node (stand-in): CPU time (process.cpuUsage) to evaluate the bundled module, and to build the
//   app and answer a first request (a 404: no database, no token, so no I/O);
// - workerd (Miniflare, the local runtime wrangler runs): wall time until the Worker is loaded,
//   and until its first response. workerd's clocks stand still while JavaScript runs, so it is
//   timed from outside; the process start-up is in both variants and cancels in the difference.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { bundleWorker, type WorkerName } from './worker-size/bundle.js';

const SAMPLES = Number(process.env.SAMPLES ?? 15);
const env = {
  DATABASE_URL: 'postgres://unused@127.0.0.1:1/none',
  WORKOS_CLIENT_ID: 'client_bench',
};
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 100) / 100;
};

// In a child process: import the module, then build the app and answer one request.
const NODE_PROBE = `
const before = process.cpuUsage();
const ms = (u) => (u.user + u.system) / 1000;
const worker = (await import(process.argv[1])).default;
const evaluated = ms(process.cpuUsage(before));
const response = await worker.fetch(new Request('http://worker.test/none'), ${JSON.stringify(env)}, {});
if (response.status !== 404) throw new Error('unexpected status ' + response.status);
console.log(JSON.stringify({ evaluated, firstResponse: ms(process.cpuUsage(before)) }));
`;

async function nodeStartup(name: WorkerName, dir: string) {
  const file = join(dir, `${name}.node.mjs`);
  writeFileSync(file, (await bundleWorker(name, 'node')).code);
  const samples = Array.from({ length: SAMPLES }, () =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', NODE_PROBE, file], {
        encoding: 'utf8',
      }),
    ),
  ) as { evaluated: number; firstResponse: number }[];
  return {
    evaluateCpuMs: median(samples.map((s) => s.evaluated)),
    firstResponseCpuMs: median(samples.map((s) => s.firstResponse)),
  };
}

async function workerdStartup(name: WorkerName) {
  const script = new TextDecoder().decode((await bundleWorker(name, 'workerd')).code);
  const loaded: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    // Modules listed rather than found: Miniflare's locator refuses the bundle's
    // `import(name)` of optional peers, which workerd itself only reaches when called.
    const mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
      compatibilityDate: '2026-04-01',
      compatibilityFlags: ['nodejs_compat'],
      bindings: env,
    });
    await mf.ready;
    loaded.push(performance.now() - start);
    const response = await mf.dispatchFetch('http://worker.test/none');
    await response.arrayBuffer();
    if (response.status !== 404) throw new Error(`unexpected status ${response.status}`);
    first.push(performance.now() - start);
    await mf.dispose();
  }
  return { loadedMs: median(loaded), firstResponseMs: median(first) };
}

const dir = mkdtempSync(join(tmpdir(), 'orgkit-worker-startup-'));
try {
  const node = {
    withOrgkit: await nodeStartup('with-orgkit', dir),
    withFullOrgkit: await nodeStartup('with-full-orgkit', dir),
    withoutOrgkit: await nodeStartup('without-orgkit', dir),
  };
  const workerd = {
    withOrgkit: await workerdStartup('with-orgkit'),
    withFullOrgkit: await workerdStartup('with-full-orgkit'),
    withoutOrgkit: await workerdStartup('without-orgkit'),
  };
  const diff = (a: number, b: number) => Math.round((a - b) * 100) / 100;
  console.log(
    JSON.stringify(
      {
        samples: SAMPLES,
        node: {
          ...node,
          orgkitEvaluateCpuMs: diff(
            node.withOrgkit.evaluateCpuMs,
            node.withoutOrgkit.evaluateCpuMs,
          ),
          orgkitFirstResponseCpuMs: diff(
            node.withOrgkit.firstResponseCpuMs,
            node.withoutOrgkit.firstResponseCpuMs,
          ),
        },
        workerd: {
          ...workerd,
          orgkitLoadedMs: diff(workerd.withOrgkit.loadedMs, workerd.withoutOrgkit.loadedMs),
          orgkitFirstResponseMs: diff(
            workerd.withOrgkit.firstResponseMs,
            workerd.withoutOrgkit.firstResponseMs,
          ),
        },
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
