import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OrgkitError } from '../../errors/index.js';
import {
  defaultRlsModel,
  defineRlsModel,
  generateRlsSql,
  type RlsModel,
  type RlsModelInput,
  type RlsTarget,
} from '../../rls/index.js';
import { isRlsModel } from '../../rls/model.js';
import { usageError } from '../usage-error.js';

/** Flags of `orgkit rls generate`. */
export interface RlsGenerateFlags {
  target?: string | undefined;
  config?: string | undefined;
  out?: string | undefined;
  schema?: string | undefined;
  role?: string | undefined;
}

const TARGETS: readonly RlsTarget[] = ['postgres', 'neon', 'supabase'];

// A JSON file holds the model's input; a JS module's default export is a model or its input.
async function loadModel(file: string): Promise<RlsModel> {
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

/**
 * `orgkit rls generate --target neon|supabase|postgres [--config FILE] [--out FILE]`: prints
 * (or writes) the RLS SQL for the model in FILE, or for orgkit's own tables without one.
 */
export async function rlsGenerateCommand(
  flags: RlsGenerateFlags,
  out: (line: string) => void,
): Promise<number> {
  const target = flags.target as RlsTarget | undefined;
  if (!target || !TARGETS.includes(target)) {
    throw usageError(`rls generate needs --target ${TARGETS.join('|')}`);
  }
  const model = flags.config ? await loadModel(flags.config) : defaultRlsModel();
  const text = generateRlsSql(model, {
    target,
    ...(flags.schema === undefined ? {} : { schema: flags.schema }),
    ...(flags.role === undefined ? {} : { role: flags.role }),
  });
  if (flags.out) {
    try {
      await writeFile(flags.out, text);
    } catch (cause) {
      // As audit checkpoint and export name an --out they cannot write: one line, no stack.
      const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
      throw new OrgkitError('invalid_input', `--out: cannot write ${flags.out} (${reason})`, {
        cause,
      });
    }
    out(`wrote ${flags.out} (${Object.keys(model.tables).length} tables, target ${target})`);
  } else {
    out(text.trimEnd());
  }
  return 0;
}
