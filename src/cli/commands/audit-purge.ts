import { usageError } from '../usage-error.js';
import { type CommandIo, chainName, openAuditInstance } from './audit-shared.js';

/** Flags of `orgkit audit purge`. */
export interface AuditPurgeFlags {
  url?: string | undefined;
  retentionDays?: string | undefined;
  json?: boolean | undefined;
}

/**
 * `orgkit audit purge --retention-days N [--url URL] [--json]`: removes, chain by chain, the
 * events older than N days (whole prefixes only; the library records a purge checkpoint before
 * it deletes, so what remains still verifies) and says what went. N is required: the CLI cannot
 * see the `audit.retentionDays` the app gives `createOrgkit`, and a default that is shorter
 * than the app's would delete records the app means to keep.
 */
export async function auditPurgeCommand(flags: AuditPurgeFlags, io: CommandIo): Promise<number> {
  const retentionDays = parseDays(flags.retentionDays);
  const instance = await openAuditInstance(flags.url);
  try {
    const result = await instance.orgkit.purgeExpiredAuditEvents({ retentionDays });
    if (flags.json) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    io.out(`${instance.location}: events before ${result.cutoff.toISOString()} expire`);
    for (const chain of result.chains) {
      io.out(
        `purged  ${chainName(chain.organizationId)}: ${chain.eventsPurged} event(s), through seq ${chain.throughSeq}`,
      );
    }
    io.out(
      result.chains.length
        ? `${result.eventsPurged} event(s) purged from ${result.chains.length} chain(s)`
        : 'nothing to purge',
    );
    return 0;
  } finally {
    await instance.close();
  }
}

// The range (1–36,500) is the core's to check; here only "is it a whole number".
function parseDays(value: string | undefined): number {
  if (value === undefined) {
    throw usageError('--retention-days: required (the audit retention period, in days)');
  }
  if (!/^\d{1,6}$/.test(value)) {
    throw usageError(`--retention-days: "${value}" is not a whole number of days`);
  }
  return Number(value);
}
