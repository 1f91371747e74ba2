import type { AuditCheckpoint } from '../../audit/index.js';
import { usageError } from '../usage-error.js';
import {
  type CommandIo,
  describeChain,
  openAuditInstance,
  organizationOf,
  readCheckpointFile,
} from './audit-shared.js';

/** Flags of `orgkit audit verify`. */
export interface AuditVerifyFlags {
  url?: string | undefined;
  org?: string | undefined;
  checkpoint?: string | undefined;
  incremental?: boolean | undefined;
  json?: boolean | undefined;
}

/**
 * `orgkit audit verify [--url URL] [--org ID|none] [--checkpoint FILE [--incremental]] [--json]`:
 * recomputes the hash chains (with --incremental, only past the checkpoint) and names the first
 * broken link of each. Exit code 0 when every chain is intact, 1 when one is broken.
 */
export async function auditVerifyCommand(flags: AuditVerifyFlags, io: CommandIo): Promise<number> {
  const organizationId = organizationOf(flags.org);
  if (flags.incremental && flags.checkpoint === undefined) {
    throw usageError('--incremental: needs --checkpoint, the checkpoint to start from');
  }
  // Read before connecting: a missing file is the caller's mistake, not the database's. The
  // core validates its shape and, with a key, its signature.
  const checkpoint =
    flags.checkpoint === undefined ? undefined : readCheckpointFile(flags.checkpoint);
  const instance = await openAuditInstance(flags.url);
  try {
    const report = await instance.orgkit.verifyAuditChain({
      ...(organizationId === undefined ? {} : { organizationId }),
      ...(checkpoint === undefined ? {} : { checkpoint: checkpoint as AuditCheckpoint }),
      ...(flags.incremental ? { incremental: true } : {}),
    });
    if (flags.json) {
      io.out(JSON.stringify(report, null, 2));
    } else {
      io.out(
        `${instance.location}: ${report.chains.length} chain(s), ${report.eventsChecked} event(s) checked${checkpoint ? ` ${flags.incremental ? 'after' : 'against'} ${flags.checkpoint}` : ''}`,
      );
      for (const chain of report.chains) for (const line of describeChain(chain)) io.out(line);
      io.out(report.valid ? 'audit log intact' : 'audit log BROKEN');
    }
    return report.valid ? 0 : 1;
  } finally {
    await instance.close();
  }
}
