import { existsSync, writeFileSync } from 'node:fs';
import { OrgkitError } from '../../errors/index.js';
import { type CommandIo, describeChain, openAuditInstance } from './audit-shared.js';

/** Flags of `orgkit audit checkpoint`. */
export interface AuditCheckpointFlags {
  url?: string | undefined;
  out?: string | undefined;
}

/**
 * `orgkit audit checkpoint [--url URL] [--out FILE]`: records the head of every chain, checks
 * that every chain verifies up to it, and only then writes it (JSON, signed with
 * ORGKIT_AUDIT_CHECKPOINT_KEY when set) to FILE or stdout. Exit code 1, and nothing written,
 * when a chain is broken.
 */
export async function auditCheckpointCommand(
  flags: AuditCheckpointFlags,
  io: CommandIo,
): Promise<number> {
  // Checked before connecting too, so the mistake costs nothing; `wx` below closes the race.
  if (flags.out !== undefined && existsSync(flags.out)) throw refuseOverwrite(flags.out);
  const instance = await openAuditInstance(flags.url);
  try {
    // Taken first and verified against: every event the checkpoint vouches for was checked,
    // including any written between the two calls.
    const checkpoint = await instance.orgkit.createAuditCheckpoint();
    const report = await instance.orgkit.verifyAuditChain({ checkpoint });
    if (!report.valid) {
      for (const chain of report.chains.filter((c) => !c.valid)) {
        for (const line of describeChain(chain)) io.err(line);
      }
      io.err('orgkit: refusing to write a checkpoint of a broken audit log');
      return 1;
    }
    const json = `${JSON.stringify(checkpoint, null, 2)}\n`;
    if (flags.out === undefined) {
      io.out(json.trimEnd());
      return 0;
    }
    try {
      writeFileSync(flags.out, json, { flag: 'wx' });
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
      if (reason === 'EEXIST') throw refuseOverwrite(flags.out);
      throw new OrgkitError('invalid_input', `--out: cannot create ${flags.out} (${reason})`, {
        cause,
      });
    }
    io.out(
      `${instance.location}: checkpoint of ${checkpoint.chains.length} chain(s) written to ${flags.out}${checkpoint.mac ? ' (signed)' : ''}`,
    );
    return 0;
  } finally {
    await instance.close();
  }
}

// An older checkpoint is the evidence a new one adds to: never written over.
function refuseOverwrite(path: string): OrgkitError {
  return new OrgkitError(
    'conflict',
    `--out: ${path} already exists; a checkpoint never replaces an older one, choose a new file`,
  );
}
