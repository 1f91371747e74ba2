import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OrgkitError } from '../errors/index.js';
import { defineRlsModel, type RlsModel, type RlsModelInput, type RlsTarget } from '../rls/index.js';
import { isRlsModel } from '../rls/model.js';

/** The targets `--target` takes. */
export const RLS_TARGETS: readonly RlsTarget[] = ['postgres', 'neon', 'supabase'];

/**
 * `--config FILE` of the rls commands: a JSON file holds the model's input; a JS module's
 * default export is a model or its input.
 */
export async function loadRlsModel(file: string): Promise<RlsModel> {
  const path = resolve(file);
  let loaded: unknown;
  try {
    loaded = file.endsWith('.json')
      ? JSON.parse(await readFile(path, 'utf8'))
      : ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } catch (cause) {
    throw new OrgkitError('invalid_config', `--config ${file}: cannot load it`, { cause });
  }
  if (loaded === undefined) {
    throw new OrgkitError('invalid_config', `--config ${file}: has no default export`);
  }
  return isRlsModel(loaded) ? loaded : defineRlsModel(loaded as RlsModelInput);
}
