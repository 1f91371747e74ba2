/**
 * Writes the docs' generated reference pages from the code itself, so they cannot drift from it:
 * `docs/reference/cli.md` from the CLI's command definitions and `docs/reference/configuration.md`
 * from the zod schema `createOrgkit` validates its options with. Run by `npm run docs:dev` and
 * `npm run docs:build` (the pages are not committed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderCliReference } from './render-cli.js';
import { renderConfigurationReference } from './render-configuration.js';

const referenceDir = fileURLToPath(new URL('../../docs/reference/', import.meta.url));
mkdirSync(referenceDir, { recursive: true });
writeFileSync(`${referenceDir}cli.md`, renderCliReference());
writeFileSync(`${referenceDir}configuration.md`, renderConfigurationReference());
process.stdout.write('docs/reference: cli.md, configuration.md written\n');
