import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * Vitest global setup: the example apps, the demo and `orgkit demo` import the BUILT package, as
 * a user's app does, so a run must not test a `dist/` older than `src/` (or none, on a fresh
 * clone). Builds with tsup only then; CI builds before testing, so it builds nothing there.
 */
export default function buildIfStale(): void {
  const built = join(root, 'dist', 'index.js');
  const sources = [join(root, 'src'), join(root, 'tsup.config.ts'), join(root, 'package.json')];
  const sourceTime = Math.max(
    ...sources.map((p) => (statSync(p).isDirectory() ? newest(p) : statSync(p).mtimeMs)),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sourceTime) return;
  process.stdout.write(
    'dist/ is missing or older than src/: building it (npm run build) for the example apps\n',
  );
  const result = spawnSync(join(root, 'node_modules', '.bin', 'tsup'), {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error('npm run build failed; the example apps need dist/');
}
