import { readFileSync } from 'node:fs';
import type { AuditChainStatus } from '../../audit/index.js';
import type { Orgkit } from '../../create-orgkit.js';
import { OrgkitError } from '../../errors/index.js';
import { usageError } from '../usage-error.js';

/** What every `orgkit audit` command writes to: a line of output, and a line of diagnostics. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** The value `--org` takes for the chain of events recorded without an organization. */
export const NO_ORGANIZATION = 'none';

/** `--org ID` as the core takes it: `none` is the chain without an organization. */
export function organizationOf(org: string | undefined): string | null | undefined {
  if (org === undefined) return undefined;
  if (org.trim() === '') throw usageError('--org: expected an organization id, or "none"');
  return org === NO_ORGANIZATION ? null : org;
}

/** How a chain is named in messages. */
export function chainName(organizationId: string | null): string {
  return organizationId ?? '(no organization)';
}

/** A chain's verdict as the lines `verify` and `checkpoint` print. */
export function describeChain(chain: AuditChainStatus): string[] {
  const range = chain.events === 0 ? 'no events' : `seq ${chain.firstSeq}–${chain.lastSeq}`;
  const counted = `${chain.events} event${chain.events === 1 ? '' : 's'}`;
  const { problem } = chain;
  if (!problem) return [`ok      ${chainName(chain.organizationId)}: ${range} (${counted})`];
  return [
    `BROKEN  ${chainName(chain.organizationId)}: ${problem.kind} at seq ${problem.seq}${problem.id === null ? '' : ` (id ${problem.id})`}`,
    `          ${problem.message}`,
    `          expected: ${problem.expected}`,
    `          actual:   ${problem.actual}`,
  ];
}

/**
 * An orgkit instance over the database `--url` (or DATABASE_URL, or embedded PGlite in
 * ./.orgkit) names, with the checkpoint key from ORGKIT_AUDIT_CHECKPOINT_KEY. The commands call
 * its public audit functions; nothing of the audit logic lives in the CLI.
 */
export async function openAuditInstance(url: string | undefined): Promise<{
  orgkit: Orgkit;
  location: string;
  close(): Promise<void>;
}> {
  // Loaded here, not at the top: a command line mistake is reported without loading the library.
  const [{ createOrgkit }, { openDatabase }] = await Promise.all([
    import('../../create-orgkit.js'),
    import('../open-database.js'),
  ]);
  const checkpointKey = process.env.ORGKIT_AUDIT_CHECKPOINT_KEY || undefined;
  const opened = await openDatabase(url ?? process.env.DATABASE_URL);
  try {
    const orgkit = createOrgkit({ database: opened.db, audit: { checkpointKey } });
    return { orgkit, location: opened.location, close: () => opened.close() };
  } catch (error) {
    await opened.close();
    // The only option taken from outside is the key: say where it came from.
    if (error instanceof OrgkitError && error.code === 'invalid_config' && checkpointKey) {
      throw new OrgkitError('invalid_config', `ORGKIT_AUDIT_CHECKPOINT_KEY: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** A checkpoint file, parsed as JSON (the core validates its shape and signature). */
export function readCheckpointFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new OrgkitError('invalid_input', `--checkpoint: cannot read ${path} (${reason})`, {
      cause,
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new OrgkitError('invalid_input', `--checkpoint: ${path} is not JSON`, { cause });
  }
}
