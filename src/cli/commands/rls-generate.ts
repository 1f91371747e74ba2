import { writeFile } from 'node:fs/promises';
import { OrgkitError } from '../../errors/index.js';
import { defaultRlsModel, generateRlsSql, type RlsTarget } from '../../rls/index.js';
import { loadRlsModel, RLS_TARGETS } from '../load-rls-model.js';
import { usageError } from '../usage-error.js';

/** Flags of `orgkit rls generate`. */
export interface RlsGenerateFlags {
  target?: string | undefined;
  config?: string | undefined;
  out?: string | undefined;
  schema?: string | undefined;
  role?: string | undefined;
  permissive?: string | undefined;
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
  if (!target || !RLS_TARGETS.includes(target)) {
    throw usageError(`rls generate needs --target ${RLS_TARGETS.join('|')}`);
  }
  const model = flags.config ? await loadRlsModel(flags.config) : defaultRlsModel();
  const text = generateRlsSql(model, {
    target,
    ...(flags.schema === undefined ? {} : { schema: flags.schema }),
    ...(flags.role === undefined ? {} : { role: flags.role }),
    ...(flags.permissive === undefined
      ? {}
      : { permissivePolicies: flags.permissive as 'combined' | 'separate' }),
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
