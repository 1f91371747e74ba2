/**
 * Type-checks every TypeScript sample of the docs and the README against the built package, and
 * runs the ones marked `runnable` (```ts runnable). Each sample is a module of its own; the names
 * samples use without defining them (`orgkit`, `db`, the Next pages' `@/lib/auth`) are declared
 * once in docs/.vitepress/samples/*.d.ts, as a reader has them in their
 * app. Samples resolve modules the way an app's bundler does (`moduleResolution: Bundler`).
 *
 * Usage: npm run build && npm run docs:samples
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, '.samples');
// Generated pages carry no hand-written samples; the API reference's come from TSDoc.
const SKIPPED_DIRS = new Set(['node_modules', 'api', 'reference', '.vitepress']);

interface Sample {
  file: string;
  line: number;
  lang: 'ts' | 'tsx';
  runnable: boolean;
  code: string;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

function samplesOf(file: string): Sample[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript|tsx)\b(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++)
      body.push(lines[j]!.slice(indent));
    samples.push({
      file: relative(root, file),
      line: i + 2,
      lang: open[2] === 'tsx' ? 'tsx' : 'ts',
      runnable: /\brunnable\b/.test(open[3]!),
      code: body.join('\n'),
    });
    i = j;
  }
  return samples;
}

const samples = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))].flatMap(samplesOf);
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir);
for (const declarations of ['sample-globals.d.ts', 'sample-modules.d.ts', 'app-schema.ts']) {
  copyFileSync(join(root, 'docs/.vitepress/samples', declarations), join(outDir, declarations));
}
const where = new Map<string, Sample>();
samples.forEach((sample, n) => {
  const name = `sample-${String(n).padStart(3, '0')}.${sample.lang}`;
  where.set(name, sample);
  // A sample with no import or export would be a script sharing one scope with the others.
  writeFileSync(join(outDir, name), `${sample.code}\nexport {};\n`);
});
writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2023',
        module: 'Preserve',
        moduleResolution: 'Bundler',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        jsx: 'react-jsx',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        types: ['node'],
        // AuthKit is installed for the Next example only (it pins its own WorkOS SDK major).
        paths: {
          '@/db/schema': ['./app-schema.ts'],
          '@workos-inc/authkit-nextjs': [
            '../examples/next/node_modules/@workos-inc/authkit-nextjs',
          ],
        },
      },
      include: ['*.ts', '*.tsx'],
    },
    null,
    2,
  ),
);

const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', outDir, '--pretty', 'false'], {
  encoding: 'utf8',
});
const errors = `${tsc.stdout}${tsc.stderr}`
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const at =
      /^\.samples\/(sample-\d+\.tsx?)\((\d+),(\d+)\): (.*)$/.exec(line) ??
      /^(sample-\d+\.tsx?)\((\d+),(\d+)\): (.*)$/.exec(line);
    if (!at) return line;
    const sample = where.get(at[1]!)!;
    return `${sample.file}:${sample.line + Number(at[2]) - 1}:${at[3]} ${at[4]}`;
  });
if (tsc.status !== 0) {
  process.stderr.write(
    `${errors.join('\n')}\n\ndocs samples: ${samples.length} checked, type errors above\n`,
  );
  process.exit(1);
}

const runnable = [...where].filter(([, sample]) => sample.runnable);
for (const [name, sample] of runnable) {
  process.stdout.write(`running ${sample.file}:${sample.line}\n`);
  execFileSync(join(root, 'node_modules/.bin/tsx'), [join(outDir, name)], {
    cwd: outDir,
    stdio: 'inherit',
  });
}
process.stdout.write(
  `docs samples: ${samples.length} type-checked against the built package, ${runnable.length} run\n`,
);
