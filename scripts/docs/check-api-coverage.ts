/**
 * Checks that every public export of every entry point in package.json appears in the generated
 * API reference (docs/api, written by TypeDoc): as a page of its own, or named on its module's
 * page (re-exports). Run by `npm run docs:build` after TypeDoc.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));
const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as {
  entryPoints: string[];
};
const apiDir = join(root, 'docs/api');
if (!existsSync(apiDir)) {
  process.stderr.write('docs/api is missing: run npm run docs:api (TypeDoc) first\n');
  process.exit(1);
}

// The public entry points are package.json's exports; TypeDoc must document each of them.
const exportsMap = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports as Record<
  string,
  unknown
>;
const subpaths = Object.keys(exportsMap).filter((key) => key !== './package.json');
const sources = new Map<string, string>(); // module name → source file
for (const entry of typedoc.entryPoints) {
  const header = /@module\s+(\S+)/.exec(readFileSync(join(root, entry), 'utf8'));
  if (header) sources.set(header[1]!, entry);
}
const problems: string[] = [];
for (const subpath of subpaths) {
  const name = subpath === '.' ? 'orgkit' : `orgkit/${subpath.slice(2)}`;
  if (!sources.has(name)) problems.push(`${name}: not among typedoc.json's entry points`);
}

const program = ts.createProgram(
  [...sources.values()].map((file) => join(root, file)),
  {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
  },
);
const checker = program.getTypeChecker();

function pagesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? pagesOf(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

// An export tagged @internal is there for the types of public signatures, not to be called; TypeDoc
// leaves it out on purpose (excludeInternal).
const isInternal = (symbol: ts.Symbol): boolean => {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return target.getJsDocTags().some((tag) => tag.name === 'internal');
};

let checked = 0;
let internal = 0;
for (const [moduleName, file] of sources) {
  const moduleDir = join(apiDir, ...moduleName.split('/'));
  const indexPage = join(moduleDir, 'index.md');
  if (!existsSync(indexPage)) {
    problems.push(`${moduleName}: no page in docs/api`);
    continue;
  }
  const ownPages = new Set(
    pagesOf(moduleDir)
      .filter((page) => !page.slice(moduleDir.length + 1).includes('/orgkit/'))
      .map((page) => page.split('/').pop()!.replace(/\.md$/, '')),
  );
  const indexText = readFileSync(indexPage, 'utf8');
  const source = program.getSourceFile(join(root, file))!;
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
    if (isInternal(symbol)) {
      internal++;
      continue;
    }
    checked++;
    const name = symbol.getName();
    const named = new RegExp(`(^|[^\\w])${name.replace(/\$/g, '\\$')}([^\\w]|$)`).test(indexText);
    if (!ownPages.has(name) && !named)
      problems.push(`${moduleName}: ${name} is not in the API reference`);
  }
}

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  `API reference: all ${checked} exports of ${sources.size} entry points documented (${internal} @internal left out)\n`,
);
